using System.Globalization;
using Microsoft.Data.Sqlite;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// The bank operations of a transfer store file (<c>transfers.db</c> of <c>l2pay bank</c>, the open-banking options'
/// <c>DatabasePath</c>), opened <b>read-only</b>: reconciliation never writes to the bank's records, and needs no bank
/// configuration to read them. Reads the columns <c>id, kind, state, amount_minor, currency, payment_id, updated_at</c>
/// of <c>transfer_operations</c>, the table <see cref="TransferService"/>'s store writes.
/// </summary>
public sealed class TransferDatabaseBankOperations : IBankOperationSource
{
    private readonly string _path;

    /// <summary>Reads the transfer store at <paramref name="path"/> (which must exist).</summary>
    public TransferDatabaseBankOperations(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"no transfer database at {Path.GetFullPath(_path)}", _path);
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, kind, state, amount_minor, currency, payment_id, updated_at FROM transfer_operations ORDER BY id";
        var list = new List<BankOperation>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            if (!Guid.TryParseExact(id, "N", out var operationId)
                || !Enum.TryParse<TransferKind>(reader.GetString(1), out var kind) || !Enum.IsDefined(kind)
                || !Enum.TryParse<TransferState>(reader.GetString(2), out var state) || !Enum.IsDefined(state)
                || !DateTimeOffset.TryParse(reader.GetString(6), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var updatedAt))
            {
                throw new InvalidDataException($"transfer_operations row '{id}' is not a readable transfer (id, kind, state or updated_at)");
            }

            list.Add(new BankOperation(operationId, kind, state, reader.GetInt64(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), updatedAt));
        }

        return list;
    }
}

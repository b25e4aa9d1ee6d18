using Microsoft.Data.Sqlite;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Reconciliation.Sources;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>
/// <see cref="TransferDatabaseBankOperations"/> over a real SQLite file in a temporary directory (SQLite runs in process):
/// the table holds the columns the transfer store writes that reconciliation reads, rows inserted by hand.
/// </summary>
public sealed class TransferDatabaseBankOperationsTests : IDisposable
{
    private const string IdA = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a";
    private const string IdB = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
    private readonly string _dir = Directory.CreateTempSubdirectory("recon-bankdb-").FullName;

    private string Db => Path.Combine(_dir, "transfers.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Constructor_NullOrEmptyPath_Refused()
    {
        Should.Throw<ArgumentNullException>(() => new TransferDatabaseBankOperations(null!)).ParamName.ShouldBe("path");
        Should.Throw<ArgumentException>(() => new TransferDatabaseBankOperations("")).ParamName.ShouldBe("path");
    }

    [Fact]
    public async Task ListAsync_NoFile_FileNotFoundNamingTheFullPath()
    {
        var error = await Should.ThrowAsync<FileNotFoundException>(() => new TransferDatabaseBankOperations(Db).ListAsync());

        error.Message.ShouldBe($"no transfer database at {Db}");
        error.FileName.ShouldBe(Db);
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task ListAsync_Rows_EveryFieldInIdOrder()
    {
        await CreateAsync(
            (IdB, "Payout", "PaymentSubmitted", 1_150, "GBP", null, "2026-03-01 13:30:00+01:00"),
            (IdA, "Topup", "Completed", 2_500, "EUR", "pay-a", "2026-03-01T12:00:00.0000000"));

        var operations = await new TransferDatabaseBankOperations(Db).ListAsync();

        operations.ShouldBe(
        [
            new BankOperation(Guid.Parse(IdA), TransferKind.Topup, TransferState.Completed, 2_500, "EUR", "pay-a", new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)),
            new BankOperation(Guid.Parse(IdB), TransferKind.Payout, TransferState.PaymentSubmitted, 1_150, "GBP", null, new DateTimeOffset(2026, 3, 1, 12, 30, 0, TimeSpan.Zero)),
        ]);
    }

    [Fact]
    public async Task ListAsync_EmptyTable_Empty()
    {
        await CreateAsync();

        (await new TransferDatabaseBankOperations(Db).ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListAsync_FileReplacedBetweenReads_ReadsTheNewFile()
    {
        // No connection is kept open between reads (a pooled one would still read the replaced file's old contents).
        await CreateAsync((IdA, "Topup", "Completed", 2_500, "GBP", "pay-a", "2026-03-01T12:00:00Z"));
        var source = new TransferDatabaseBankOperations(Db);
        (await source.ListAsync()).ShouldHaveSingleItem().OperationId.ShouldBe(Guid.Parse(IdA));

        File.Delete(Db);
        await CreateAsync((IdB, "Payout", "Completed", 900, "GBP", "pay-b", "2026-03-01T12:00:00Z"));

        (await source.ListAsync()).ShouldHaveSingleItem().OperationId.ShouldBe(Guid.Parse(IdB));
    }

    public static TheoryData<string, string, string, string> BadRows => new()
    {
        { "0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a", "Topup", "Completed", "2026-03-01T12:00:00Z" },
        { IdA, "Sideways", "Completed", "2026-03-01T12:00:00Z" },
        { IdA, "7", "Completed", "2026-03-01T12:00:00Z" },
        { IdA, "Topup", "Lost", "2026-03-01T12:00:00Z" },
        { IdA, "Topup", "99", "2026-03-01T12:00:00Z" },
        { IdA, "Topup", "Completed", "yesterday" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task ListAsync_UnreadableRow_InvalidDataNamingTheRow(string id, string kind, string state, string updatedAt)
    {
        await CreateAsync((IdB, "Topup", "Completed", 100, "GBP", null, "2026-03-01T12:00:00Z"), (id, kind, state, 100, "GBP", null, updatedAt));

        var error = await Should.ThrowAsync<InvalidDataException>(() => new TransferDatabaseBankOperations(Db).ListAsync());

        error.Message.ShouldBe($"transfer_operations row '{id}' is not a readable transfer (id, kind, state or updated_at)");
    }

    private async Task CreateAsync(params (string Id, string Kind, string State, long Amount, string Currency, string? PaymentId, string UpdatedAt)[] rows)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE transfer_operations (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, amount_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL, payment_id TEXT, updated_at TEXT NOT NULL)
                """;
            await create.ExecuteNonQueryAsync();
        }

        foreach (var row in rows)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO transfer_operations VALUES ($id, $kind, $state, $amount, $currency, $payment, $at)";
            insert.Parameters.AddWithValue("$id", row.Id);
            insert.Parameters.AddWithValue("$kind", row.Kind);
            insert.Parameters.AddWithValue("$state", row.State);
            insert.Parameters.AddWithValue("$amount", row.Amount);
            insert.Parameters.AddWithValue("$currency", row.Currency);
            insert.Parameters.AddWithValue("$payment", (object?)row.PaymentId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$at", row.UpdatedAt);
            await insert.ExecuteNonQueryAsync();
        }
    }
}

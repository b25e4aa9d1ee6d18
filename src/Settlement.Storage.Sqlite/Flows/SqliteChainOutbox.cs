using System.Globalization;
using Microsoft.Data.Sqlite;
using Settlement.Storage;
using Settlement.Service.Flows.Chain;

namespace Settlement.Service.Storage.Sqlite.Flows;

/// <summary>
/// The chain outbox in a SQLite file (it may be the ledger's file: its one table, <c>chain_outbox</c>, is created with
/// <c>IF NOT EXISTS</c> and does not touch the ledger's schema version). WAL, <c>synchronous=FULL</c> (a stored
/// transaction survives a power cut before it is broadcast), file mode 0600. Entries are never deleted; the only update
/// sets the mined block once.
/// </summary>
public sealed class SqliteChainOutbox : IChainOutbox
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS chain_outbox (
            step_key TEXT PRIMARY KEY NOT NULL,
            sender TEXT NOT NULL,
            nonce INTEGER NOT NULL,
            tx_hash TEXT NOT NULL UNIQUE,
            raw BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            mined_block INTEGER NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS chain_outbox_unmined ON chain_outbox (sender, nonce) WHERE mined_block IS NULL;
        CREATE TRIGGER IF NOT EXISTS chain_outbox_no_delete BEFORE DELETE ON chain_outbox
            BEGIN SELECT RAISE(ABORT, 'chain_outbox is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS chain_outbox_update_mined_only BEFORE UPDATE ON chain_outbox
            WHEN OLD.mined_block IS NOT NULL OR NEW.step_key IS NOT OLD.step_key OR NEW.raw IS NOT OLD.raw OR NEW.tx_hash IS NOT OLD.tx_hash
                OR NEW.sender IS NOT OLD.sender OR NEW.nonce IS NOT OLD.nonce OR NEW.created_at IS NOT OLD.created_at
            BEGIN SELECT RAISE(ABORT, 'chain_outbox rows only gain their mined block, once'); END;
        """;

    private const string Columns = "step_key, sender, nonce, tx_hash, raw, created_at, mined_block";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _ready;

    /// <summary>An outbox in <paramref name="path"/> (created when missing). Touches nothing until first used.</summary>
    public SqliteChainOutbox(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <inheritdoc />
    public async Task<ChainOutboxEntry?> GetAsync(string stepKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM chain_outbox WHERE step_key = $key";
        command.Parameters.AddWithValue("$key", stepKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<ChainOutboxEntry> AddAsync(ChainOutboxEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.StepKey);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO chain_outbox (step_key, sender, nonce, tx_hash, raw, created_at) VALUES ($key, $sender, $nonce, $hash, $raw, $at) "
                + "ON CONFLICT (step_key) DO NOTHING";
            insert.Parameters.AddWithValue("$key", entry.StepKey);
            insert.Parameters.AddWithValue("$sender", entry.Sender);
            insert.Parameters.AddWithValue("$nonce", checked((long)entry.Nonce));
            insert.Parameters.AddWithValue("$hash", entry.TransactionHash);
            insert.Parameters.AddWithValue("$raw", entry.RawTransaction.ToArray());
            insert.Parameters.AddWithValue("$at", entry.CreatedAt.UtcTicks);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetAsync(entry.StepKey, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Chain outbox '{_path}': step '{entry.StepKey}' vanished after it was stored.");
    }

    /// <inheritdoc />
    public async Task MarkMinedAsync(string stepKey, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE chain_outbox SET mined_block = $block WHERE step_key = $key AND mined_block IS NULL";
        command.Parameters.AddWithValue("$key", stepKey);
        command.Parameters.AddWithValue("$block", checked((long)blockNumber));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChainOutboxEntry>> ListUnminedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM chain_outbox WHERE mined_block IS NULL ORDER BY sender, nonce";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ChainOutboxEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(Read(reader));
        }

        return entries;
    }

    private static ChainOutboxEntry Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        checked((ulong)reader.GetInt64(2)),
        reader.GetString(3),
        (byte[])reader.GetValue(4),
        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        reader.IsDBNull(6) ? null : checked((ulong)reader.GetInt64(6)));

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            await _init.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_ready)
                {
                    OwnerOnlyFile.RestrictSqliteDatabase(_path);
                    await using var first = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    await using var command = first.CreateCommand();
                    command.CommandText = "PRAGMA journal_mode = WAL; " + Schema;
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    _ready = true;
                }
            }
            finally
            {
                _init.Release();
            }
        }

        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;");
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

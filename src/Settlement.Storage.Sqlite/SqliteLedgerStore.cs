using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Service.Ledger;
using Settlement.Storage;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>
/// The <see cref="ILedgerStore"/> in one SQLite file (the embedded default). Each batch is one <c>BEGIN IMMEDIATE</c>
/// transaction: the write lock is taken before anything is read, so the balances the rules see cannot change before
/// the batch's writes, and the batch commits with one fsync (WAL, <c>synchronous=FULL</c>). The journal table is
/// append-only (triggers refuse UPDATE and DELETE) and hash-chained (<see cref="JournalHash"/>); <c>ledger_head</c>
/// holds the last row's seq and hash. The file holds financial records, so it is created owner-only (0600).
/// </summary>
public sealed partial class SqliteLedgerStore : ILedgerStore
{
    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 4;

    // Index i upgrades the schema from version i to i + 1. Never edit a released step; append a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS ledger_accounts (
            id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),
            ledger INTEGER NOT NULL,
            code INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            user_data BLOB NOT NULL CHECK (length(user_data) = 16),
            debits_pending BLOB NOT NULL CHECK (length(debits_pending) = 16),
            debits_posted BLOB NOT NULL CHECK (length(debits_posted) = 16),
            credits_pending BLOB NOT NULL CHECK (length(credits_pending) = 16),
            credits_posted BLOB NOT NULL CHECK (length(credits_posted) = 16),
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS ledger_journal (
            seq INTEGER PRIMARY KEY,
            kind INTEGER NOT NULL,
            id BLOB NOT NULL,
            debit_account_id BLOB NOT NULL,
            credit_account_id BLOB NOT NULL,
            amount BLOB NOT NULL,
            pending_id BLOB,
            user_data BLOB NOT NULL,
            ledger INTEGER NOT NULL,
            code INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            timeout INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            hash BLOB NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_journal_id ON ledger_journal (kind, id);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_journal_pending ON ledger_journal (pending_id) WHERE pending_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_ledger_journal_expires ON ledger_journal (expires_at) WHERE expires_at IS NOT NULL;
        CREATE TRIGGER IF NOT EXISTS ledger_journal_no_update BEFORE UPDATE ON ledger_journal
            BEGIN SELECT RAISE(ABORT, 'ledger_journal is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_journal_no_delete BEFORE DELETE ON ledger_journal
            BEGIN SELECT RAISE(ABORT, 'ledger_journal is append-only'); END;
        CREATE TABLE IF NOT EXISTS ledger_head (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            seq INTEGER NOT NULL,
            hash BLOB NOT NULL
        );
        INSERT OR IGNORE INTO ledger_head (one, seq, hash) VALUES (1, 0, zeroblob(32));
        """,
        """
        CREATE TABLE IF NOT EXISTS indexer_checkpoints (
            stream TEXT NOT NULL PRIMARY KEY,
            chain_id INTEGER NOT NULL,
            block_number INTEGER,
            block_hash TEXT,
            epoch INTEGER NOT NULL,
            events_booked INTEGER NOT NULL,
            reorgs INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS indexer_blocks (
            stream TEXT NOT NULL,
            number INTEGER NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (stream, number)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS indexer_events (
            chain_id INTEGER NOT NULL,
            contract TEXT NOT NULL,
            tx_hash TEXT NOT NULL,
            log_index INTEGER NOT NULL,
            stream TEXT NOT NULL,
            block_number INTEGER NOT NULL,
            block_hash TEXT NOT NULL,
            kind INTEGER NOT NULL,
            ignored INTEGER,
            channel_id TEXT,
            payee_cumulative BLOB,
            transfer_ids BLOB NOT NULL,
            PRIMARY KEY (chain_id, contract, tx_hash, log_index)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_indexer_events_block ON indexer_events (stream, block_number, log_index);
        CREATE INDEX IF NOT EXISTS ix_indexer_events_payee ON indexer_events (stream, channel_id, block_number, log_index) WHERE payee_cumulative IS NOT NULL;
        CREATE TABLE IF NOT EXISTS indexer_channels (
            stream TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            payer TEXT NOT NULL,
            payee TEXT NOT NULL,
            token TEXT NOT NULL,
            opened_block INTEGER NOT NULL,
            PRIMARY KEY (stream, channel_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS indexer_rollbacks (
            stream TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            from_block INTEGER NOT NULL,
            from_hash TEXT NOT NULL,
            to_block INTEGER,
            to_hash TEXT,
            events_reversed INTEGER NOT NULL,
            transfers_reversed INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (stream, epoch)
        ) WITHOUT ROWID;
        """,
        """
        CREATE INDEX IF NOT EXISTS ix_indexer_events_tx ON indexer_events (stream, tx_hash);
        CREATE TABLE IF NOT EXISTS settlement_flows (
            id TEXT NOT NULL PRIMARY KEY,
            kind INTEGER NOT NULL,
            state TEXT NOT NULL,
            finished INTEGER NOT NULL CHECK (finished IN (0, 1)),
            payload TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_settlement_flows_open ON settlement_flows (finished, kind, created_at);
        CREATE TABLE IF NOT EXISTS settlement_flow_transitions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            flow_id TEXT NOT NULL REFERENCES settlement_flows (id),
            version INTEGER NOT NULL,
            at INTEGER NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_settlement_flow_transitions_flow ON settlement_flow_transitions (flow_id, seq);
        CREATE TRIGGER IF NOT EXISTS settlement_flow_transitions_no_update BEFORE UPDATE ON settlement_flow_transitions
            BEGIN SELECT RAISE(ABORT, 'settlement_flow_transitions is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS settlement_flow_transitions_no_delete BEFORE DELETE ON settlement_flow_transitions
            BEGIN SELECT RAISE(ABORT, 'settlement_flow_transitions is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS settlement_flows_no_delete BEFORE DELETE ON settlement_flows
            BEGIN SELECT RAISE(ABORT, 'settlement_flows rows are never deleted'); END;
        CREATE TRIGGER IF NOT EXISTS settlement_flows_version_forward BEFORE UPDATE ON settlement_flows
            WHEN NEW.version <> OLD.version + 1 OR NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.created_at <> OLD.created_at
            BEGIN SELECT RAISE(ABORT, 'settlement_flows: version must grow by one; id, kind and creation are fixed'); END;
        """,
        """
        CREATE TABLE IF NOT EXISTS sweeping_consents (
            consent_id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL,
            bank TEXT NOT NULL,
            payer TEXT NOT NULL,
            payee TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            max_per_payment INTEGER NOT NULL CHECK (max_per_payment > 0),
            max_per_period INTEGER NOT NULL CHECK (max_per_period >= max_per_payment),
            period_type INTEGER NOT NULL,
            period_alignment INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            valid_to INTEGER
        ) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS sweeping_consents_no_update BEFORE UPDATE ON sweeping_consents
            BEGIN SELECT RAISE(ABORT, 'sweeping_consents rows are registered once, never changed'); END;
        CREATE TRIGGER IF NOT EXISTS sweeping_consents_no_delete BEFORE DELETE ON sweeping_consents
            BEGIN SELECT RAISE(ABORT, 'sweeping_consents rows are registered once, never changed'); END;
        """,
    ];

    private const string AccountColumns =
        "id, ledger, code, flags, user_data, debits_pending, debits_posted, credits_pending, credits_posted, created_at";

    // The ids of a lookup as rows of a recursive CTE over one blob parameter (16 bytes per id, big-endian like the
    // columns): one statement and two parameters per lookup, whatever the number of ids. Microsoft.Data.Sqlite binds
    // each parameter by name on every execution (a linear search through the statement's names), so an
    // "IN ($p0, …, $p499)" list cost more in binding than in the index lookups it made.
    private const string IdRows =
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < $n) SELECT substr($ids, (i * 16) + 1, 16) FROM k";

    private const string JournalColumns =
        "seq, kind, id, debit_account_id, credit_account_id, amount, pending_id, user_data, ledger, code, flags, timeout, created_at";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _migrated;
    private volatile bool _fileRestricted;

    /// <summary>A store on <see cref="SqliteLedgerStoreOptions.Path"/>. Touches nothing until first used.</summary>
    /// <exception cref="ArgumentException">No path.</exception>
    public SqliteLedgerStore(SqliteLedgerStoreOptions options, TimeProvider? time = null, ILogger<SqliteLedgerStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, nameof(options) + ".Path");
        _path = options.Path;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max((int)Math.Ceiling(options.BusyTimeout.TotalSeconds), 1),
        }.ToString();

        // Per connection (not stored in the file). FULL: the WAL is fsynced at every commit, so a committed batch
        // survives a power cut, not only a process crash.
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;");
    }

    /// <summary>The database file.</summary>
    public string Path => _path;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The file's schema is newer than this build, or WAL could not be enabled.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _migration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var mode = Convert.ToString(await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite ledger '{_path}': could not enable WAL (journal mode is '{mode}').");
            }

            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var version = Convert.ToInt64(await ScalarAsync(connection, tx, "PRAGMA user_version", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"SQLite ledger '{_path}' has schema version {version}, newer than this build's {SchemaVersion}: upgrade the settlement service.");
            }

            for (var step = (int)version; step < SchemaVersion; step++)
            {
                await ScalarAsync(connection, tx, Migrations[step] + string.Create(CultureInfo.InvariantCulture, $"; PRAGMA user_version = {step + 1};"), cancellationToken)
                    .ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (version < SchemaVersion)
            {
                LogMigrated(_logger, _path, version, SchemaVersion);
            }

            _migrated = true;
        }
        finally
        {
            _migration.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        cancellationToken.ThrowIfCancellationRequested();
        if (accounts.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new LedgerSnapshot();
        var ids = accounts.Select(a => a.Id).Where(id => id != 0).Distinct().Order().ToList();
        await LoadAccountsAsync(connection, tx, ids, snapshot, cancellationToken).ConfigureAwait(false);
        var outcome = LedgerEngine.CreateAccounts(accounts, snapshot, _time.GetUtcNow());
        if (outcome.Entries.Count > 0)
        {
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = $"INSERT INTO ledger_accounts ({AccountColumns}) VALUES ($id, $ledger, $code, $flags, $user, $dp, $dpo, $cp, $cpo, $at)";
                var set = AccountParameters(insert);
                foreach (var account in outcome.CreatedAccounts)
                {
                    set(account);
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await AppendJournalAsync(connection, tx, outcome.Entries, cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Results;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        cancellationToken.ThrowIfCancellationRequested();
        if (transfers.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): one writer at a time, from the first read to the commit.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new LedgerSnapshot();
        await LoadTransfersAsync(connection, tx, LedgerSnapshot.TransferIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LoadResolutionsAsync(connection, tx, LedgerSnapshot.PendingIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LoadAccountsAsync(connection, tx, snapshot.AccountIdsToLock(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        var outcome = LedgerEngine.CreateTransfers(transfers, snapshot, _time.GetUtcNow());
        await WriteOutcomeAsync(connection, tx, outcome.Entries, outcome.ChangedAccounts.Values, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Results;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var due = new List<StoredTransfer>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = $"""
                SELECT {Prefixed("p.", JournalColumns)} FROM ledger_journal p
                WHERE p.expires_at IS NOT NULL AND p.expires_at <= $now
                  AND NOT EXISTS (SELECT 1 FROM ledger_journal r WHERE r.pending_id = p.id)
                ORDER BY p.seq
                """;
            select.Parameters.AddWithValue("$now", now.UtcTicks);
            await foreach (var entry in ReadEntriesAsync(select, cancellationToken).ConfigureAwait(false))
            {
                due.Add(entry.ToStoredTransfer());
            }
        }

        if (due.Count == 0)
        {
            return [];
        }

        var snapshot = new LedgerSnapshot();
        var accounts = due.SelectMany(d => new[] { d.Transfer.DebitAccountId, d.Transfer.CreditAccountId }).Distinct().Order().ToList();
        await LoadAccountsAsync(connection, tx, accounts, snapshot, cancellationToken).ConfigureAwait(false);
        var outcome = LedgerEngine.Expire(due, snapshot, now);
        await WriteOutcomeAsync(connection, tx, outcome.Entries, outcome.ChangedAccounts.Values, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Results;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new LedgerSnapshot();
        await LoadAccountsAsync(connection, null, ids.Distinct().Order().ToList(), snapshot, cancellationToken).ConfigureAwait(false);
        return [.. snapshot.Accounts.Values.OrderBy(a => a.Account.Id)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await ListAccountsAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new LedgerSnapshot();
        await LoadTransfersAsync(connection, null, ids.Distinct().Order().ToList(), snapshot, cancellationToken).ConfigureAwait(false);
        return [.. snapshot.Transfers.Values.OrderBy(t => t.Transfer.Id)];
    }

    /// <inheritdoc />
    public async Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction: the journal, the accounts and the head are one consistent snapshot (WAL readers do
        // not block the writer).
        await using var tx = connection.BeginTransaction(deferred: true);
        var verifier = new JournalVerifier();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = $"SELECT {JournalColumns}, hash FROM ledger_journal ORDER BY seq";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var columns = new object?[14];
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reader.GetValues(columns!);
                var entry = LedgerCodec.TryDecodeEntry(columns, out var e) ? e : (JournalEntry?)null;
                var seq = columns[0] is long s ? s : -1;
                if (!verifier.Add(seq, entry, columns[13]))
                {
                    break;
                }
            }
        }

        long headSeq;
        object? headHash;
        await using (var head = connection.CreateCommand())
        {
            head.Transaction = tx;
            head.CommandText = "SELECT seq, hash FROM ledger_head WHERE one = 1";
            await using var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("The ledger head row is missing.");
            }

            headSeq = reader.GetInt64(0);
            headHash = reader.GetValue(1);
        }

        var accounts = verifier.IsBroken ? [] : await ListAccountsAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        return verifier.Finish(accounts, headSeq, headHash);
    }

    /// <inheritdoc />
    public override string ToString() => $"SQLite ledger at {_path}";

    private static string Prefixed(string prefix, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => prefix + c));

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.Transaction = tx;
        select.CommandText = $"SELECT {AccountColumns} FROM ledger_accounts ORDER BY id";
        var list = new List<AccountBalances>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new object?[10];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns!);
            list.Add(LedgerCodec.DecodeAccount(columns));
        }

        return list;
    }

    private static async Task LoadAccountsAsync(
        SqliteConnection connection, SqliteTransaction? tx, IReadOnlyList<UInt128> ids, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var columns = new object?[10];
        await using var select = IdQuery(connection, tx, $"SELECT {AccountColumns} FROM ledger_accounts WHERE id IN ({IdRows})", ids);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns!);
            var account = LedgerCodec.DecodeAccount(columns);
            snapshot.Accounts[account.Account.Id] = account;
        }
    }

    private static async Task LoadTransfersAsync(
        SqliteConnection connection, SqliteTransaction? tx, IReadOnlyList<UInt128> ids, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var select = IdQuery(
            connection, tx, $"SELECT {JournalColumns} FROM ledger_journal WHERE kind = {(int)JournalKind.TransferCreated} AND id IN ({IdRows})", ids);
        await foreach (var entry in ReadEntriesAsync(select, cancellationToken).ConfigureAwait(false))
        {
            snapshot.Transfers[entry.Id] = entry.ToStoredTransfer();
        }
    }

    /// <summary>A statement over <see cref="IdRows"/>: <c>$n</c> ids packed into the blob <c>$ids</c>.</summary>
    private static SqliteCommand IdQuery(SqliteConnection connection, SqliteTransaction? tx, string sql, IReadOnlyList<UInt128> ids)
    {
        var packed = new byte[ids.Count * 16];
        for (var i = 0; i < ids.Count; i++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(packed.AsSpan(i * 16, 16), ids[i]);
        }

        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.Add("$n", SqliteType.Integer).Value = (long)ids.Count;
        command.Parameters.Add("$ids", SqliteType.Blob).Value = packed;
        return command;
    }

    private static async Task LoadResolutionsAsync(
        SqliteConnection connection, SqliteTransaction? tx, IReadOnlyList<UInt128> pendingIds, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.Transaction = tx;
        select.CommandText = "SELECT kind, flags FROM ledger_journal WHERE pending_id = $id";
        var id = select.Parameters.Add("$id", SqliteType.Blob);
        foreach (var pendingId in pendingIds)
        {
            id.Value = LedgerCodec.Encode(pendingId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                snapshot.Resolutions[pendingId] = Resolution(reader.GetInt64(0), reader.GetInt64(1));
            }
        }
    }

    private static PendingResolution Resolution(long kind, long flags) =>
        kind == (long)JournalKind.PendingExpired ? PendingResolution.Expired
        : ((TransferFlags)flags).HasFlag(TransferFlags.PostPending) ? PendingResolution.Posted
        : PendingResolution.Voided;

    private static async IAsyncEnumerable<JournalEntry> ReadEntriesAsync(
        SqliteCommand select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new object?[13];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns!);
            yield return LedgerCodec.TryDecodeEntry(columns, out var entry)
                ? entry
                : throw new InvalidDataException($"Ledger journal row {columns[0]} does not decode.");
        }
    }

    private static Action<AccountBalances> AccountParameters(SqliteCommand command)
    {
        var id = command.Parameters.Add("$id", SqliteType.Blob);
        var ledger = command.Parameters.Add("$ledger", SqliteType.Integer);
        var code = command.Parameters.Add("$code", SqliteType.Integer);
        var flags = command.Parameters.Add("$flags", SqliteType.Integer);
        var user = command.Parameters.Add("$user", SqliteType.Blob);
        var dp = command.Parameters.Add("$dp", SqliteType.Blob);
        var dpo = command.Parameters.Add("$dpo", SqliteType.Blob);
        var cp = command.Parameters.Add("$cp", SqliteType.Blob);
        var cpo = command.Parameters.Add("$cpo", SqliteType.Blob);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        return a =>
        {
            id.Value = LedgerCodec.Encode(a.Account.Id);
            ledger.Value = (long)a.Account.Ledger;
            code.Value = (long)a.Account.Code;
            flags.Value = (long)a.Account.Flags;
            user.Value = LedgerCodec.Encode(a.Account.UserData);
            dp.Value = LedgerCodec.Encode(a.DebitsPending);
            dpo.Value = LedgerCodec.Encode(a.DebitsPosted);
            cp.Value = LedgerCodec.Encode(a.CreditsPending);
            cpo.Value = LedgerCodec.Encode(a.CreditsPosted);
            at.Value = a.CreatedAt.UtcTicks;
        };
    }

    private static async Task WriteOutcomeAsync(
        SqliteConnection connection, SqliteTransaction tx, List<JournalEntry> entries, IEnumerable<AccountBalances> changed, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = "UPDATE ledger_accounts SET debits_pending = $dp, debits_posted = $dpo, credits_pending = $cp, credits_posted = $cpo WHERE id = $id";
            // Only the statement's five parameters: each one bound is a search through the statement's names.
            var id = update.Parameters.Add("$id", SqliteType.Blob);
            var dp = update.Parameters.Add("$dp", SqliteType.Blob);
            var dpo = update.Parameters.Add("$dpo", SqliteType.Blob);
            var cp = update.Parameters.Add("$cp", SqliteType.Blob);
            var cpo = update.Parameters.Add("$cpo", SqliteType.Blob);
            foreach (var account in changed.OrderBy(a => a.Account.Id))
            {
                id.Value = LedgerCodec.Encode(account.Account.Id);
                dp.Value = LedgerCodec.Encode(account.DebitsPending);
                dpo.Value = LedgerCodec.Encode(account.DebitsPosted);
                cp.Value = LedgerCodec.Encode(account.CreditsPending);
                cpo.Value = LedgerCodec.Encode(account.CreditsPosted);
                if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    throw new InvalidOperationException($"Ledger account {account.Account.Id} vanished during a batch.");
                }
            }
        }

        await AppendJournalAsync(connection, tx, entries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends entries after the head (numbering and chaining them) and moves the head.</summary>
    private static async Task AppendJournalAsync(SqliteConnection connection, SqliteTransaction tx, List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        long seq;
        byte[] hash;
        await using (var head = connection.CreateCommand())
        {
            head.Transaction = tx;
            head.CommandText = "SELECT seq, hash FROM ledger_head WHERE one = 1";
            await using var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.GetValue(1) is not byte[] { Length: JournalHash.Length } stored)
            {
                throw new InvalidDataException("The ledger head row is missing or corrupt.");
            }

            seq = reader.GetInt64(0);
            hash = stored;
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO ledger_journal ({JournalColumns}, expires_at, hash) "
                + "VALUES ($seq, $kind, $id, $debit, $credit, $amount, $pending, $user, $ledger, $code, $flags, $timeout, $at, $expires, $hash)";
            var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var pKind = insert.Parameters.Add("$kind", SqliteType.Integer);
            var pId = insert.Parameters.Add("$id", SqliteType.Blob);
            var pDebit = insert.Parameters.Add("$debit", SqliteType.Blob);
            var pCredit = insert.Parameters.Add("$credit", SqliteType.Blob);
            var pAmount = insert.Parameters.Add("$amount", SqliteType.Blob);
            var pPending = insert.Parameters.Add("$pending", SqliteType.Blob);
            var pUser = insert.Parameters.Add("$user", SqliteType.Blob);
            var pLedger = insert.Parameters.Add("$ledger", SqliteType.Integer);
            var pCode = insert.Parameters.Add("$code", SqliteType.Integer);
            var pFlags = insert.Parameters.Add("$flags", SqliteType.Integer);
            var pTimeout = insert.Parameters.Add("$timeout", SqliteType.Integer);
            var pAt = insert.Parameters.Add("$at", SqliteType.Integer);
            var pExpires = insert.Parameters.Add("$expires", SqliteType.Integer);
            var pHash = insert.Parameters.Add("$hash", SqliteType.Blob);
            foreach (var unnumbered in entries)
            {
                var e = unnumbered with { Seq = ++seq };
                hash = JournalHash.Compute(hash, e);
                pSeq.Value = e.Seq;
                pKind.Value = (long)e.Kind;
                pId.Value = LedgerCodec.Encode(e.Id);
                pDebit.Value = LedgerCodec.Encode(e.DebitAccountId);
                pCredit.Value = LedgerCodec.Encode(e.CreditAccountId);
                pAmount.Value = LedgerCodec.Encode(e.Amount);
                pPending.Value = e.PendingId == 0 ? DBNull.Value : LedgerCodec.Encode(e.PendingId);
                pUser.Value = LedgerCodec.Encode(e.UserData);
                pLedger.Value = (long)e.Ledger;
                pCode.Value = (long)e.Code;
                pFlags.Value = (long)e.Flags;
                pTimeout.Value = (long)e.Timeout;
                pAt.Value = e.CreatedAtTicks;
                pExpires.Value = ExpiresAt(e) is { } expires ? expires : DBNull.Value;
                pHash.Value = hash;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using var move = connection.CreateCommand();
        move.Transaction = tx;
        move.CommandText = "UPDATE ledger_head SET seq = $seq, hash = $hash WHERE one = 1";
        move.Parameters.AddWithValue("$seq", seq);
        move.Parameters.AddWithValue("$hash", hash);
        await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static long? ExpiresAt(in JournalEntry e) =>
        e.Kind == JournalKind.TransferCreated && ((TransferFlags)e.Flags).HasFlag(TransferFlags.Pending) && e.Timeout > 0
            ? e.CreatedAtTicks + (e.Timeout * TimeSpan.TicksPerSecond)
            : null;

    private async Task<SqliteConnection> OpenMigratedAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_fileRestricted)
        {
            OwnerOnlyFile.RestrictSqliteDatabase(_path);
            _fileRestricted = true;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ScalarAsync(connection, null, _connectionPragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Ledger {Path}: schema migrated from version {From} to {To}")]
    private static partial void LogMigrated(ILogger logger, string path, long from, int to);
}

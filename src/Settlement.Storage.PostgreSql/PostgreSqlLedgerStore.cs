using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Settlement.Service.Ledger;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>
/// The <see cref="ILedgerStore"/> in PostgreSQL, shared by several instances. A batch is one READ COMMITTED
/// transaction of a few round trips whatever its size (arrays and <c>unnest</c>): read the batch's transfers and
/// pending resolutions (immutable rows), lock its accounts with <c>SELECT … ORDER BY id FOR UPDATE</c> (ascending id:
/// the one lock order, so writers never deadlock), apply the rules, then lock the journal head, append the rows and
/// update the balances. A concurrent writer inserting the same transfer id or resolving the same pending transfer hits
/// a unique index; the batch is then retried and answers <c>Exists</c> / <c>AlreadyPosted</c>. The journal is
/// append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained (<see cref="JournalHash"/>).
/// Durability relies on the server's <c>synchronous_commit = on</c> (the default).
/// </summary>
public sealed partial class PostgreSqlLedgerStore : ILedgerStore
{
    /// <summary>The newest schema version this build applies (rows of <c>ledger_schema_migrations</c>).</summary>
    public const int SchemaVersion = 4;

    // Index i creates version i + 1, in one transaction with its version row. Never edit a released step; append one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS ledger_accounts (
            id BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(id) = 16),
            ledger BIGINT NOT NULL,
            code BIGINT NOT NULL,
            flags BIGINT NOT NULL,
            user_data BYTEA NOT NULL CHECK (octet_length(user_data) = 16),
            debits_pending BYTEA NOT NULL CHECK (octet_length(debits_pending) = 16),
            debits_posted BYTEA NOT NULL CHECK (octet_length(debits_posted) = 16),
            credits_pending BYTEA NOT NULL CHECK (octet_length(credits_pending) = 16),
            credits_posted BYTEA NOT NULL CHECK (octet_length(credits_posted) = 16),
            created_at BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ledger_journal (
            seq BIGINT PRIMARY KEY,
            kind BIGINT NOT NULL,
            id BYTEA NOT NULL,
            debit_account_id BYTEA NOT NULL,
            credit_account_id BYTEA NOT NULL,
            amount BYTEA NOT NULL,
            pending_id BYTEA,
            user_data BYTEA NOT NULL,
            ledger BIGINT NOT NULL,
            code BIGINT NOT NULL,
            flags BIGINT NOT NULL,
            timeout BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            hash BYTEA NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_journal_id ON ledger_journal (kind, id);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_journal_pending ON ledger_journal (pending_id) WHERE pending_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_ledger_journal_expires ON ledger_journal (expires_at) WHERE expires_at IS NOT NULL;
        CREATE OR REPLACE FUNCTION ledger_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'ledger_journal is append-only'; END $$;
        CREATE TRIGGER ledger_journal_no_change BEFORE UPDATE OR DELETE ON ledger_journal
            FOR EACH ROW EXECUTE FUNCTION ledger_journal_append_only();
        CREATE TRIGGER ledger_journal_no_truncate BEFORE TRUNCATE ON ledger_journal
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_journal_append_only();
        CREATE TABLE IF NOT EXISTS ledger_head (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            seq BIGINT NOT NULL,
            hash BYTEA NOT NULL
        );
        INSERT INTO ledger_head (one, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex')) ON CONFLICT DO NOTHING;
        """,
        """
        CREATE TABLE IF NOT EXISTS indexer_checkpoints (
            stream TEXT NOT NULL PRIMARY KEY,
            chain_id BIGINT NOT NULL,
            block_number BIGINT,
            block_hash TEXT,
            epoch BIGINT NOT NULL,
            events_booked BIGINT NOT NULL,
            reorgs BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS indexer_blocks (
            stream TEXT NOT NULL,
            number BIGINT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (stream, number)
        );
        CREATE TABLE IF NOT EXISTS indexer_events (
            chain_id BIGINT NOT NULL,
            contract TEXT NOT NULL,
            tx_hash TEXT NOT NULL,
            log_index BIGINT NOT NULL,
            stream TEXT NOT NULL,
            block_number BIGINT NOT NULL,
            block_hash TEXT NOT NULL,
            kind BIGINT NOT NULL,
            ignored BIGINT,
            channel_id TEXT,
            payee_cumulative BYTEA,
            transfer_ids BYTEA NOT NULL,
            PRIMARY KEY (chain_id, contract, tx_hash, log_index)
        );
        CREATE INDEX IF NOT EXISTS ix_indexer_events_block ON indexer_events (stream, block_number, log_index);
        CREATE INDEX IF NOT EXISTS ix_indexer_events_payee ON indexer_events (stream, channel_id, block_number, log_index) WHERE payee_cumulative IS NOT NULL;
        CREATE TABLE IF NOT EXISTS indexer_channels (
            stream TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            payer TEXT NOT NULL,
            payee TEXT NOT NULL,
            token TEXT NOT NULL,
            opened_block BIGINT NOT NULL,
            PRIMARY KEY (stream, channel_id)
        );
        CREATE TABLE IF NOT EXISTS indexer_rollbacks (
            stream TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            from_block BIGINT NOT NULL,
            from_hash TEXT NOT NULL,
            to_block BIGINT,
            to_hash TEXT,
            events_reversed BIGINT NOT NULL,
            transfers_reversed BIGINT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (stream, epoch)
        );
        """,
        """
        CREATE INDEX IF NOT EXISTS ix_indexer_events_tx ON indexer_events (stream, tx_hash);
        CREATE TABLE IF NOT EXISTS settlement_flows (
            id UUID NOT NULL PRIMARY KEY,
            kind INTEGER NOT NULL,
            state TEXT NOT NULL,
            finished BOOLEAN NOT NULL,
            payload TEXT NOT NULL,
            version BIGINT NOT NULL CHECK (version >= 1),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_settlement_flows_open ON settlement_flows (finished, kind, created_at);
        CREATE TABLE IF NOT EXISTS settlement_flow_transitions (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            flow_id UUID NOT NULL REFERENCES settlement_flows (id),
            version BIGINT NOT NULL,
            at BIGINT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_settlement_flow_transitions_flow ON settlement_flow_transitions (flow_id, seq);
        CREATE OR REPLACE FUNCTION settlement_flow_transitions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'settlement_flow_transitions is append-only'; END $$;
        CREATE TRIGGER settlement_flow_transitions_no_change BEFORE UPDATE OR DELETE ON settlement_flow_transitions
            FOR EACH ROW EXECUTE FUNCTION settlement_flow_transitions_append_only();
        CREATE TRIGGER settlement_flow_transitions_no_truncate BEFORE TRUNCATE ON settlement_flow_transitions
            FOR EACH STATEMENT EXECUTE FUNCTION settlement_flow_transitions_append_only();
        CREATE OR REPLACE FUNCTION settlement_flows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION 'settlement_flows rows are never deleted';
                END IF;
                IF NEW.version <> OLD.version + 1 OR NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.created_at <> OLD.created_at THEN
                    RAISE EXCEPTION 'settlement_flows: version must grow by one; id, kind and creation are fixed';
                END IF;
                RETURN NEW;
            END $$;
        CREATE TRIGGER settlement_flows_guard BEFORE UPDATE OR DELETE ON settlement_flows
            FOR EACH ROW EXECUTE FUNCTION settlement_flows_guard();
        """,
        """
        CREATE TABLE IF NOT EXISTS sweeping_consents (
            consent_id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL,
            bank TEXT NOT NULL,
            payer TEXT NOT NULL,
            payee TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            max_per_payment BIGINT NOT NULL CHECK (max_per_payment > 0),
            max_per_period BIGINT NOT NULL CHECK (max_per_period >= max_per_payment),
            period_type INTEGER NOT NULL,
            period_alignment INTEGER NOT NULL,
            valid_from BIGINT NOT NULL,
            valid_to BIGINT
        );
        CREATE OR REPLACE FUNCTION sweeping_consents_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'sweeping_consents rows are registered once, never changed'; END $$;
        CREATE TRIGGER sweeping_consents_no_change BEFORE UPDATE OR DELETE ON sweeping_consents
            FOR EACH ROW EXECUTE FUNCTION sweeping_consents_fixed();
        """,
    ];

    private const string AccountColumns =
        "id, ledger, code, flags, user_data, debits_pending, debits_posted, credits_pending, credits_posted, created_at";

    private const string JournalColumns =
        "seq, kind, id, debit_account_id, credit_account_id, amount, pending_id, user_data, ledger, code, flags, timeout, created_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly int _maxRetries;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _migrated;

    /// <summary>A store on <paramref name="dataSource"/> (not owned). Touches nothing until first used.</summary>
    public PostgreSqlLedgerStore(NpgsqlDataSource dataSource, TimeProvider? time = null, int maxRetries = 10, ILogger<PostgreSqlLedgerStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        _dataSource = dataSource;
        _time = time ?? TimeProvider.System;
        _maxRetries = maxRetries;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _migration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var create = new NpgsqlCommand(
                        "CREATE TABLE IF NOT EXISTS ledger_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
                {
                    // Two instances creating the table at once: the loser retries and finds it.
                }
            }

            await using (var newest = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM ledger_schema_migrations", connection))
            {
                var version = Convert.ToInt64(await newest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                if (version > SchemaVersion)
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL ledger '{connection.Database}' has schema version {version}, newer than this build's {SchemaVersion}: upgrade the settlement service.");
                }
            }

            for (var step = 0; step < Migrations.Length; step++)
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var claim = new NpgsqlCommand(
                    "INSERT INTO ledger_schema_migrations (version, applied_at) VALUES (@version, CURRENT_TIMESTAMP) ON CONFLICT (version) DO NOTHING", connection, tx);
                claim.Parameters.AddWithValue("version", step + 1);
                if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await using var apply = new NpgsqlCommand(Migrations[step], connection, tx);
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogMigrated(_logger, connection.Database, step + 1);
            }

            _migrated = true;
        }
        finally
        {
            _migration.Release();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        return accounts.Count == 0
            ? Task.FromResult<IReadOnlyList<CreateAccountResult>>([])
            : WithRetriesAsync<IReadOnlyList<CreateAccountResult>>(
                async (connection, tx) =>
                {
                    var snapshot = new LedgerSnapshot();
                    var ids = accounts.Select(a => a.Id).Where(id => id != 0).Distinct().Order().ToList();
                    await LockAccountsAsync(connection, tx, ids, snapshot, cancellationToken).ConfigureAwait(false);
                    var outcome = LedgerEngine.CreateAccounts(accounts, snapshot, _time.GetUtcNow());
                    if (outcome.CreatedAccounts.Count > 0)
                    {
                        await using var insert = new NpgsqlCommand(
                            $"INSERT INTO ledger_accounts ({AccountColumns}) SELECT * FROM unnest(@id, @ledger, @code, @flags, @user, @dp, @dpo, @cp, @cpo, @at)",
                            connection,
                            tx);
                        var created = outcome.CreatedAccounts;
                        AddBytesArray(insert, "id", created.Select(a => a.Account.Id));
                        AddLongArray(insert, "ledger", created.Select(a => (long)a.Account.Ledger));
                        AddLongArray(insert, "code", created.Select(a => (long)a.Account.Code));
                        AddLongArray(insert, "flags", created.Select(a => (long)a.Account.Flags));
                        AddBytesArray(insert, "user", created.Select(a => a.Account.UserData));
                        AddBytesArray(insert, "dp", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "dpo", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "cp", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "cpo", created.Select(_ => UInt128.Zero));
                        AddLongArray(insert, "at", created.Select(a => a.CreatedAt.UtcTicks));
                        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        await AppendJournalAsync(connection, tx, outcome.Entries, cancellationToken).ConfigureAwait(false);
                    }

                    return outcome.Results;
                },
                cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        return transfers.Count == 0
            ? Task.FromResult<IReadOnlyList<CreateTransferResult>>([])
            : WithRetriesAsync<IReadOnlyList<CreateTransferResult>>(
                async (connection, tx) =>
                {
                    var snapshot = new LedgerSnapshot();
                    await LoadTransfersAsync(connection, tx, LedgerSnapshot.TransferIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
                    await LoadResolutionsAsync(connection, tx, LedgerSnapshot.PendingIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
                    await LockAccountsAsync(connection, tx, snapshot.AccountIdsToLock(transfers), snapshot, cancellationToken).ConfigureAwait(false);
                    var outcome = LedgerEngine.CreateTransfers(transfers, snapshot, _time.GetUtcNow());
                    await WriteOutcomeAsync(connection, tx, outcome.Entries, outcome.ChangedAccounts.Values, cancellationToken).ConfigureAwait(false);
                    return outcome.Results;
                },
                cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default) =>
        WithRetriesAsync<IReadOnlyList<UInt128>>(
            async (connection, tx) =>
            {
                var now = _time.GetUtcNow();
                await using var select = new NpgsqlCommand(
                    $"""
                    SELECT {string.Join(", ", JournalColumns.Split(", ").Select(c => "p." + c))} FROM ledger_journal p
                    WHERE p.expires_at IS NOT NULL AND p.expires_at <= @now
                      AND NOT EXISTS (SELECT 1 FROM ledger_journal r WHERE r.pending_id = p.id)
                    ORDER BY p.seq
                    """,
                    connection,
                    tx);
                select.Parameters.Add(new NpgsqlParameter<long>("now", now.UtcTicks));
                var due = (await ReadEntriesAsync(select, cancellationToken).ConfigureAwait(false)).Select(e => e.ToStoredTransfer()).ToList();
                if (due.Count == 0)
                {
                    return [];
                }

                var snapshot = new LedgerSnapshot();
                var ids = due.SelectMany(d => new[] { d.Transfer.DebitAccountId, d.Transfer.CreditAccountId }).Distinct().Order().ToList();
                await LockAccountsAsync(connection, tx, ids, snapshot, cancellationToken).ConfigureAwait(false);
                var outcome = LedgerEngine.Expire(due, snapshot, now);
                await WriteOutcomeAsync(connection, tx, outcome.Entries, outcome.ChangedAccounts.Values, cancellationToken).ConfigureAwait(false);
                return outcome.Results;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand($"SELECT {AccountColumns} FROM ledger_accounts WHERE id = ANY(@ids) ORDER BY id", connection);
        AddBytesArray(select, "ids", ids.Distinct());
        return await ReadAccountsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand($"SELECT {AccountColumns} FROM ledger_accounts ORDER BY id", connection);
        return await ReadAccountsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new LedgerSnapshot();
        await LoadTransfersAsync(connection, null, ids.Distinct().ToList(), snapshot, cancellationToken).ConfigureAwait(false);
        return [.. snapshot.Transfers.Values.OrderBy(t => t.Transfer.Id)];
    }

    /// <inheritdoc />
    public async Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // One snapshot for the journal, the head and the accounts.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var verifier = new JournalVerifier();
        await using (var select = new NpgsqlCommand($"SELECT {JournalColumns}, hash FROM ledger_journal ORDER BY seq", connection, tx))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var columns = new object[14];
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reader.GetValues(columns);
                var entry = LedgerCodec.TryDecodeEntry(columns, out var e) ? e : (JournalEntry?)null;
                if (!verifier.Add(columns[0] is long s ? s : -1, entry, columns[13]))
                {
                    break;
                }
            }
        }

        long headSeq;
        object headHash;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM ledger_head WHERE one = 1", connection, tx))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("The ledger head row is missing.");
            }

            headSeq = reader.GetInt64(0);
            headHash = reader.GetValue(1);
        }

        IReadOnlyList<AccountBalances> accounts = [];
        if (!verifier.IsBroken)
        {
            await using var select = new NpgsqlCommand($"SELECT {AccountColumns} FROM ledger_accounts ORDER BY id", connection, tx);
            accounts = await ReadAccountsAsync(select, cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return verifier.Finish(accounts, headSeq, headHash);
    }

    /// <inheritdoc />
    public override string ToString() => "PostgreSQL ledger";

    private async Task<T> WithRetriesAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await body(connection, tx).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException ex) when (attempt < _maxRetries
                && ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation)
            {
                // A unique violation here is a concurrent writer's insert of the same id or pending resolution: the
                // retry reads it and answers Exists / AlreadyPosted.
                LogRetry(_logger, ex.SqlState, attempt + 1);
            }
        }
    }

    private async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task LockAccountsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<UInt128> sortedIds, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (sortedIds.Count == 0)
        {
            return;
        }

        // ORDER BY id below FOR UPDATE: rows are locked as the sorted scan returns them, in ascending id order.
        await using var select = new NpgsqlCommand($"SELECT {AccountColumns} FROM ledger_accounts WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", connection, tx);
        AddBytesArray(select, "ids", sortedIds);
        foreach (var account in await ReadAccountsAsync(select, cancellationToken).ConfigureAwait(false))
        {
            snapshot.Accounts[account.Account.Id] = account;
        }
    }

    private static async Task LoadTransfersAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, IReadOnlyList<UInt128> ids, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var select = new NpgsqlCommand(
            $"SELECT {JournalColumns} FROM ledger_journal WHERE kind = {(int)JournalKind.TransferCreated} AND id = ANY(@ids)", connection, tx);
        AddBytesArray(select, "ids", ids);
        foreach (var entry in await ReadEntriesAsync(select, cancellationToken).ConfigureAwait(false))
        {
            snapshot.Transfers[entry.Id] = entry.ToStoredTransfer();
        }
    }

    private static async Task LoadResolutionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<UInt128> pendingIds, LedgerSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (pendingIds.Count == 0)
        {
            return;
        }

        await using var select = new NpgsqlCommand("SELECT pending_id, kind, flags FROM ledger_journal WHERE pending_id = ANY(@ids)", connection, tx);
        AddBytesArray(select, "ids", pendingIds);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = LedgerCodec.Decode(reader.GetValue(0), "journal pending id");
            var kind = reader.GetInt64(1);
            var flags = (TransferFlags)reader.GetInt64(2);
            snapshot.Resolutions[id] = kind == (long)JournalKind.PendingExpired ? PendingResolution.Expired
                : flags.HasFlag(TransferFlags.PostPending) ? PendingResolution.Posted
                : PendingResolution.Voided;
        }
    }

    private static async Task<List<AccountBalances>> ReadAccountsAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        var list = new List<AccountBalances>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new object[10];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns);
            list.Add(LedgerCodec.DecodeAccount(columns));
        }

        return list;
    }

    private static async Task<List<JournalEntry>> ReadEntriesAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        var list = new List<JournalEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new object[13];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns);
            list.Add(LedgerCodec.TryDecodeEntry(columns, out var entry)
                ? entry
                : throw new InvalidDataException($"Ledger journal row {columns[0]} does not decode."));
        }

        return list;
    }

    private static async Task WriteOutcomeAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<JournalEntry> entries, IEnumerable<AccountBalances> changed, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var accounts = changed.OrderBy(a => a.Account.Id).ToList();
        await using (var update = new NpgsqlCommand(
            """
            UPDATE ledger_accounts a SET debits_pending = u.dp, debits_posted = u.dpo, credits_pending = u.cp, credits_posted = u.cpo
            FROM unnest(@id, @dp, @dpo, @cp, @cpo) AS u(id, dp, dpo, cp, cpo)
            WHERE a.id = u.id
            """,
            connection,
            tx))
        {
            AddBytesArray(update, "id", accounts.Select(a => a.Account.Id));
            AddBytesArray(update, "dp", accounts.Select(a => a.DebitsPending));
            AddBytesArray(update, "dpo", accounts.Select(a => a.DebitsPosted));
            AddBytesArray(update, "cp", accounts.Select(a => a.CreditsPending));
            AddBytesArray(update, "cpo", accounts.Select(a => a.CreditsPosted));
            var updated = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (updated != accounts.Count)
            {
                throw new InvalidOperationException($"Ledger batch updated {updated} of {accounts.Count} accounts.");
            }
        }

        await AppendJournalAsync(connection, tx, entries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Locks the head (after every account: the fixed lock order), appends the chained rows, moves the head.</summary>
    private static async Task AppendJournalAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        long seq;
        byte[] hash;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM ledger_head WHERE one = 1 FOR UPDATE", connection, tx))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.GetValue(1) is not byte[] { Length: JournalHash.Length } stored)
            {
                throw new InvalidDataException("The ledger head row is missing or corrupt.");
            }

            seq = reader.GetInt64(0);
            hash = stored;
        }

        var numbered = new JournalEntry[entries.Count];
        var hashes = new byte[entries.Count][];
        for (var i = 0; i < entries.Count; i++)
        {
            numbered[i] = entries[i] with { Seq = ++seq };
            hash = JournalHash.Compute(hash, numbered[i]);
            hashes[i] = hash;
        }

        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO ledger_journal ({JournalColumns}, expires_at, hash) "
            + "SELECT * FROM unnest(@seq, @kind, @id, @debit, @credit, @amount, @pending, @user, @ledger, @code, @flags, @timeout, @at, @expires, @hash)",
            connection,
            tx))
        {
            AddLongArray(insert, "seq", numbered.Select(e => e.Seq));
            AddLongArray(insert, "kind", numbered.Select(e => (long)e.Kind));
            AddBytesArray(insert, "id", numbered.Select(e => e.Id));
            AddBytesArray(insert, "debit", numbered.Select(e => e.DebitAccountId));
            AddBytesArray(insert, "credit", numbered.Select(e => e.CreditAccountId));
            AddBytesArray(insert, "amount", numbered.Select(e => e.Amount));
            insert.Parameters.Add(new NpgsqlParameter("pending", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                Value = numbered.Select(e => e.PendingId == 0 ? null : LedgerCodec.Encode(e.PendingId)).ToArray(),
            });
            AddBytesArray(insert, "user", numbered.Select(e => e.UserData));
            AddLongArray(insert, "ledger", numbered.Select(e => (long)e.Ledger));
            AddLongArray(insert, "code", numbered.Select(e => (long)e.Code));
            AddLongArray(insert, "flags", numbered.Select(e => (long)e.Flags));
            AddLongArray(insert, "timeout", numbered.Select(e => (long)e.Timeout));
            AddLongArray(insert, "at", numbered.Select(e => e.CreatedAtTicks));
            insert.Parameters.Add(new NpgsqlParameter("expires", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
            {
                Value = numbered.Select(ExpiresAt).ToArray(),
            });
            insert.Parameters.Add(new NpgsqlParameter("hash", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = hashes });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var move = new NpgsqlCommand("UPDATE ledger_head SET seq = @seq, hash = @hash WHERE one = 1", connection, tx);
        move.Parameters.Add(new NpgsqlParameter<long>("seq", seq));
        move.Parameters.Add(new NpgsqlParameter<byte[]>("hash", hash));
        await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static long? ExpiresAt(JournalEntry e) =>
        e.Kind == JournalKind.TransferCreated && ((TransferFlags)e.Flags).HasFlag(TransferFlags.Pending) && e.Timeout > 0
            ? e.CreatedAtTicks + (e.Timeout * TimeSpan.TicksPerSecond)
            : null;

    private static void AddBytesArray(NpgsqlCommand command, string name, IEnumerable<UInt128> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = values.Select(LedgerCodec.Encode).ToArray() });

    private static void AddLongArray(NpgsqlCommand command, string name, IEnumerable<long> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values.ToArray() });

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Ledger {Database}: schema version {Version} applied")]
    private static partial void LogMigrated(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Ledger batch retried after SQLSTATE {SqlState} (attempt {Attempt})")]
    private static partial void LogRetry(ILogger logger, string sqlState, int attempt);
}

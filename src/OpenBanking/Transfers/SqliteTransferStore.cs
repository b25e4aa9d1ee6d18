using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Transfers in SQLite: one row per operation (optimistic concurrency on <c>version</c>) and an
/// append-only audit table of transitions (triggers refuse UPDATE and DELETE). Every state change
/// and its audit row commit in one transaction. A lease row per transfer lets one process at a time
/// advance it. The file holds consent ids, authorisation codes and consent-scoped tokens, so it is
/// created owner-only (0600) and narrowed to 0600 when an older, wider file is opened.
/// </summary>
internal sealed class SqliteTransferStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS transfer_operations (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            bank TEXT NOT NULL,
            state TEXT NOT NULL,
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            instruction_json TEXT NOT NULL,
            consent_idempotency_key TEXT NOT NULL,
            payment_idempotency_key TEXT NOT NULL,
            consent_id TEXT,
            consent_status TEXT,
            auth_state TEXT,
            auth_url TEXT,
            auth_nonce TEXT,
            code_verifier TEXT,
            payment_id TEXT,
            payment_status TEXT,
            unrecognised_status TEXT,
            last_error TEXT,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_transfer_consent ON transfer_operations(bank, consent_id) WHERE consent_id IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS ux_transfer_payment ON transfer_operations(bank, payment_id) WHERE payment_id IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS ux_transfer_auth_state ON transfer_operations(auth_state) WHERE auth_state IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_transfer_state ON transfer_operations(state);
        CREATE TABLE IF NOT EXISTS transfer_transitions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            operation_id TEXT NOT NULL REFERENCES transfer_operations(id),
            at TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT,
            accepted INTEGER NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS transfer_transitions_no_update BEFORE UPDATE ON transfer_transitions
            BEGIN SELECT RAISE(ABORT, 'transfer_transitions is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS transfer_transitions_no_delete BEFORE DELETE ON transfer_transitions
            BEGIN SELECT RAISE(ABORT, 'transfer_transitions is append-only'); END;
        CREATE TABLE IF NOT EXISTS transfer_leases (
            operation_id TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS notification_receipts (
            bank TEXT NOT NULL,
            jti TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (bank, jti)
        );
        """;

    // Columns added after the first release; older files get them at start.
    private static readonly string[] AddedColumns = ["decoupled_json", "auth_code", "consent_token", "consent_token_expires", "refund_json", "consent_cutoff", "consent_auth_deadline"];

    private readonly string _connectionString;

    public SqliteTransferStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Settlement.Storage.OwnerOnlyFile.RestrictSqliteDatabase(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();

        foreach (var column in AddedColumns)
        {
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('transfer_operations') WHERE name = $name";
            probe.Parameters.AddWithValue("$name", column);
            if (Convert.ToInt64(probe.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE transfer_operations ADD COLUMN {column} TEXT";
                alter.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// Takes the transfer's lease for <paramref name="holder"/> until <paramref name="now"/> + <paramref name="duration"/>:
    /// granted when nobody holds it, the holder is <paramref name="holder"/> itself, the lease expired,
    /// or <paramref name="holderIsGone"/> says its process no longer runs (a killed CLI). Returns null
    /// when granted, else the current holder.
    /// </summary>
    public async Task<string?> TryAcquireLeaseAsync(Guid id, string holder, DateTimeOffset now, TimeSpan duration, Func<string, bool> holderIsGone, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(holderIsGone);
        await using var connection = Open();

        // BEGIN IMMEDIATE (the default here): the read and the write below are one step for every process.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT holder, expires_at FROM transfer_leases WHERE operation_id = $id";
            read.Parameters.AddWithValue("$id", id.ToString("N"));
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var current = reader.GetString(0);
                if (current != holder && Parse(reader.GetString(1)) > now && !holderIsGone(current))
                {
                    return current;
                }
            }
        }

        await using (var write = connection.CreateCommand())
        {
            write.Transaction = tx;
            write.CommandText = "INSERT OR REPLACE INTO transfer_leases (operation_id, holder, expires_at) VALUES ($id, $holder, $expires)";
            write.Parameters.AddWithValue("$id", id.ToString("N"));
            write.Parameters.AddWithValue("$holder", holder);
            write.Parameters.AddWithValue("$expires", Format(now + duration));
            await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>Gives the lease back (only if <paramref name="holder"/> still holds it).</summary>
    public async Task ReleaseLeaseAsync(Guid id, string holder, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM transfer_leases WHERE operation_id = $id AND holder = $holder";
        command.Parameters.AddWithValue("$id", id.ToString("N"));
        command.Parameters.AddWithValue("$holder", holder);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<bool> TryInsertAsync(TransferOperation op, string eventName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        await using var connection = Open();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO transfer_operations (id, kind, bank, state, amount_minor, currency, instruction_json, consent_idempotency_key,
                    payment_idempotency_key, version, created_at, updated_at)
                VALUES ($id, $kind, $bank, $state, $amount, $currency, $instruction, $ck, $pk, 1, $now, $now)
                ON CONFLICT(id) DO NOTHING
                """;
            command.Parameters.AddWithValue("$id", op.Id.ToString("N"));
            command.Parameters.AddWithValue("$kind", op.Kind.ToString());
            command.Parameters.AddWithValue("$bank", op.Bank);
            command.Parameters.AddWithValue("$state", op.State.ToString());
            command.Parameters.AddWithValue("$amount", op.Instruction.Amount.MinorUnits);
            command.Parameters.AddWithValue("$currency", op.Instruction.Amount.Currency);
            command.Parameters.AddWithValue("$instruction", JsonSerializer.Serialize(op.Instruction));
            command.Parameters.AddWithValue("$ck", op.ConsentIdempotencyKey);
            command.Parameters.AddWithValue("$pk", op.PaymentIdempotencyKey);
            command.Parameters.AddWithValue("$now", Format(op.CreatedAt));
            if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await AppendAsync(connection, tx, op.Id, null, op.State, eventName, null, true, op.CreatedAt, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes <paramref name="updated"/> if the row still has <paramref name="expected"/>'s version; appends the audit row.</summary>
    public async Task<bool> TryUpdateAsync(TransferOperation expected, TransferOperation updated, string eventName, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        await using var connection = Open();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = """
                UPDATE transfer_operations SET state = $state, consent_id = $consent, consent_status = $cstatus, auth_state = $astate,
                    auth_url = $aurl, auth_nonce = $anonce, code_verifier = $verifier, payment_id = $payment, payment_status = $pstatus,
                    unrecognised_status = $unrec, last_error = $error, decoupled_json = $decoupled, auth_code = $code, consent_token = $token,
                    consent_token_expires = $tokenExpires, refund_json = $refund, consent_cutoff = $cutoff, consent_auth_deadline = $authDeadline,
                    version = version + 1, updated_at = $now
                WHERE id = $id AND version = $version
                """;
            command.Parameters.AddWithValue("$id", expected.Id.ToString("N"));
            command.Parameters.AddWithValue("$version", expected.Version);
            command.Parameters.AddWithValue("$state", updated.State.ToString());
            command.Parameters.AddWithValue("$consent", (object?)updated.ConsentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$cstatus", (object?)updated.ConsentStatus ?? DBNull.Value);
            command.Parameters.AddWithValue("$astate", (object?)updated.AuthorizationState ?? DBNull.Value);
            command.Parameters.AddWithValue("$aurl", (object?)updated.AuthorizationUrl?.AbsoluteUri ?? DBNull.Value);
            command.Parameters.AddWithValue("$anonce", (object?)updated.NonceValue ?? DBNull.Value);
            command.Parameters.AddWithValue("$verifier", (object?)updated.CodeVerifier ?? DBNull.Value);
            command.Parameters.AddWithValue("$payment", (object?)updated.PaymentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$pstatus", (object?)updated.PaymentStatus ?? DBNull.Value);
            command.Parameters.AddWithValue("$unrec", (object?)updated.UnrecognisedStatus ?? DBNull.Value);
            command.Parameters.AddWithValue("$error", (object?)updated.LastError ?? DBNull.Value);
            command.Parameters.AddWithValue("$decoupled", updated.Decoupled is { } d ? JsonSerializer.Serialize(d) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$code", (object?)updated.AuthorizationCode ?? DBNull.Value);
            command.Parameters.AddWithValue("$token", (object?)updated.ConsentToken?.Value ?? DBNull.Value);
            command.Parameters.AddWithValue("$tokenExpires", updated.ConsentToken is { } t ? Format(t.ExpiresOn) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$refund", updated.RefundAccount is { } refund ? JsonSerializer.Serialize(refund) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$cutoff", updated.ConsentCutOff is { } cutoff ? Format(cutoff) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$authDeadline", updated.ConsentAuthorisationDeadline is { } deadline ? Format(deadline) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$now", Format(now));
            if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await AppendAsync(connection, tx, expected.Id, expected.State, updated.State, eventName, detail, true, now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Records a refused transition (impossible status jump) without touching the operation.</summary>
    public async Task AppendRefusedAsync(TransferOperation op, TransferState attempted, string eventName, string detail, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(detail);
        await using var connection = Open();
        await AppendAsync(connection, null, op.Id, op.State, attempted, eventName, detail, false, now, ct).ConfigureAwait(false);
    }

    /// <summary>Records a notification's jti; false when it was seen before (a duplicate delivery).</summary>
    public async Task<bool> TryRecordNotificationAsync(string bank, string jti, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(jti);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO notification_receipts (bank, jti, received_at) VALUES ($bank, $jti, $now) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$bank", bank);
        command.Parameters.AddWithValue("$jti", jti);
        command.Parameters.AddWithValue("$now", Format(now));
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    public Task<TransferOperation?> GetAsync(Guid id, CancellationToken ct) => SingleAsync("id = $v", id.ToString("N"), null, ct);

    public Task<TransferOperation?> FindByConsentAsync(string bank, string consentId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(consentId);
        return SingleAsync("bank = $b AND consent_id = $v", consentId, bank, ct);
    }

    public Task<TransferOperation?> FindByPaymentAsync(string bank, string paymentId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(paymentId);
        return SingleAsync("bank = $b AND payment_id = $v", paymentId, bank, ct);
    }

    public Task<TransferOperation?> FindByAuthorizationStateAsync(string state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        return SingleAsync("auth_state = $v", state, null, ct);
    }

    public async Task<IReadOnlyList<TransferOperation>> ListUnfinishedAsync(CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM transfer_operations WHERE state NOT IN ('Completed', 'Rejected', 'Failed', 'Expired') ORDER BY created_at";
        return await ReadAllAsync(command, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TransferOperation>> ListAllAsync(CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM transfer_operations ORDER BY created_at";
        return await ReadAllAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>Transfers of this kind, bank and amount (the caller compares the rest of the instruction), oldest first.</summary>
    public async Task<IReadOnlyList<TransferOperation>> ListByAmountAsync(TransferKind kind, string bank, Money amount, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(amount.Currency, nameof(amount));
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM transfer_operations WHERE kind = $kind AND bank = $bank AND amount_minor = $amount AND currency = $currency ORDER BY created_at";
        command.Parameters.AddWithValue("$kind", kind.ToString());
        command.Parameters.AddWithValue("$bank", bank);
        command.Parameters.AddWithValue("$amount", amount.MinorUnits);
        command.Parameters.AddWithValue("$currency", amount.Currency);
        return await ReadAllAsync(command, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TransferTransition>> GetTransitionsAsync(Guid id, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, operation_id, at, from_state, to_state, event, detail, accepted FROM transfer_transitions WHERE operation_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", id.ToString("N"));
        var list = new List<TransferTransition>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new TransferTransition(
                reader.GetInt64(0),
                Guid.ParseExact(reader.GetString(1), "N"),
                Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : Enum.Parse<TransferState>(reader.GetString(3)),
                Enum.Parse<TransferState>(reader.GetString(4)),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetInt64(7) == 1));
        }

        return list;
    }

    private async Task<TransferOperation?> SingleAsync(string where, string value, string? bank, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM transfer_operations WHERE " + where;
        command.Parameters.AddWithValue("$v", value);
        if (bank is not null)
        {
            command.Parameters.AddWithValue("$b", bank);
        }

        var all = await ReadAllAsync(command, ct).ConfigureAwait(false);
        return all.Count == 0 ? null : all[0];
    }

    private static async Task<List<TransferOperation>> ReadAllAsync(SqliteCommand command, CancellationToken ct)
    {
        var list = new List<TransferOperation>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            string? S(string name)
            {
                var i = reader.GetOrdinal(name);
                return reader.IsDBNull(i) ? null : reader.GetString(i);
            }

            var instruction = JsonSerializer.Deserialize<PaymentInstruction>(S("instruction_json")!)!;
            list.Add(new TransferOperation
            {
                Id = Guid.ParseExact(S("id")!, "N"),
                Kind = Enum.Parse<TransferKind>(S("kind")!),
                Bank = S("bank")!,
                State = Enum.Parse<TransferState>(S("state")!),
                Instruction = instruction,
                ConsentId = S("consent_id"),
                ConsentStatus = S("consent_status"),
                AuthorizationState = S("auth_state"),
                AuthorizationUrl = S("auth_url") is { } url ? new Uri(url) : null,
                NonceValue = S("auth_nonce"),
                CodeVerifier = S("code_verifier"),
                Decoupled = S("decoupled_json") is { } dj ? JsonSerializer.Deserialize<Auth.DecoupledAuthorization>(dj) : null,
                AuthorizationCode = S("auth_code"),
                ConsentToken = S("consent_token") is { } token && S("consent_token_expires") is { } expires ? new Auth.AccessToken(token, Parse(expires)) : null,
                RefundAccount = S("refund_json") is { } rj ? JsonSerializer.Deserialize<AccountIdentification>(rj) : null,
                ConsentCutOff = S("consent_cutoff") is { } co ? Parse(co) : null,
                ConsentAuthorisationDeadline = S("consent_auth_deadline") is { } ad ? Parse(ad) : null,
                PaymentId = S("payment_id"),
                PaymentStatus = S("payment_status"),
                UnrecognisedStatus = S("unrecognised_status"),
                LastError = S("last_error"),
                Version = reader.GetInt64(reader.GetOrdinal("version")),
                CreatedAt = Parse(S("created_at")!),
                UpdatedAt = Parse(S("updated_at")!),
            });
        }

        return list;
    }

    private static async Task AppendAsync(SqliteConnection connection, SqliteTransaction? tx, Guid id, TransferState? from, TransferState to, string eventName,
        string? detail, bool accepted, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO transfer_transitions (operation_id, at, from_state, to_state, event, detail, accepted)
            VALUES ($id, $at, $from, $to, $event, $detail, $accepted)
            """;
        command.Parameters.AddWithValue("$id", id.ToString("N"));
        command.Parameters.AddWithValue("$at", Format(now));
        command.Parameters.AddWithValue("$from", (object?)from?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("$to", to.ToString());
        command.Parameters.AddWithValue("$event", eventName);
        command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        command.Parameters.AddWithValue("$accepted", accepted ? 1 : 0);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// VRP consents and sweeps in SQLite (the connector's database file, tables beside the transfer tables). A sweep row
/// is inserted, after the limit check, in one IMMEDIATE transaction (two processes cannot both pass the check), before
/// the bank is called; state changes use optimistic concurrency on <c>version</c> and append to an audit table that
/// triggers keep append-only. The file holds consent tokens, so it is owner-only (0600) like the transfer store's.
/// </summary>
internal sealed class SqliteVrpSweepStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS vrp_consents (
            consent_id TEXT PRIMARY KEY,
            bank TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            terms_json TEXT NOT NULL,
            creditor_json TEXT NOT NULL,
            debtor_json TEXT,
            access_token TEXT,
            access_expires TEXT,
            refresh_token TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS vrp_sweeps (
            operation_id TEXT PRIMARY KEY,
            bank TEXT NOT NULL,
            consent_id TEXT NOT NULL REFERENCES vrp_consents(consent_id),
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            state TEXT NOT NULL,
            payment_id TEXT,
            payment_status TEXT,
            refusal TEXT,
            refusal_detail TEXT,
            error_codes TEXT,
            last_error TEXT,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_vrp_sweep_payment ON vrp_sweeps(bank, payment_id) WHERE payment_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_vrp_sweep_consent ON vrp_sweeps(consent_id, created_at);
        CREATE TABLE IF NOT EXISTS vrp_sweep_transitions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            operation_id TEXT NOT NULL,
            at TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            event TEXT NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS vrp_sweep_transitions_no_update BEFORE UPDATE ON vrp_sweep_transitions
            BEGIN SELECT RAISE(ABORT, 'vrp_sweep_transitions is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS vrp_sweep_transitions_no_delete BEFORE DELETE ON vrp_sweep_transitions
            BEGIN SELECT RAISE(ABORT, 'vrp_sweep_transitions is append-only'); END;
        """;

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly string _connectionString;
    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _initialised;

    public SqliteVrpSweepStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        Path = path;
    }

    public string Path { get; }

    public async Task UpsertConsentAsync(StoredVrpConsent c, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO vrp_consents (consent_id, bank, status, created_at, terms_json, creditor_json, debtor_json, access_token, access_expires, refresh_token, updated_at)
            VALUES ($id, $bank, $status, $created, $terms, $creditor, $debtor, $access, $expires, $refresh, $now)
            ON CONFLICT(consent_id) DO UPDATE SET status = $status, debtor_json = COALESCE($debtor, debtor_json),
                access_token = COALESCE($access, access_token), access_expires = COALESCE($expires, access_expires),
                refresh_token = COALESCE($refresh, refresh_token), updated_at = $now
            """;
        command.Parameters.AddWithValue("$id", c.ConsentId);
        command.Parameters.AddWithValue("$bank", c.Bank);
        command.Parameters.AddWithValue("$status", c.Status.ToString());
        command.Parameters.AddWithValue("$created", Format(c.Created));
        command.Parameters.AddWithValue("$terms", JsonSerializer.Serialize(c.Terms, Json));
        command.Parameters.AddWithValue("$creditor", JsonSerializer.Serialize(c.Creditor, Json));
        command.Parameters.AddWithValue("$debtor", c.Debtor is null ? DBNull.Value : JsonSerializer.Serialize(c.Debtor, Json));
        command.Parameters.AddWithValue("$access", (object?)c.AccessToken ?? DBNull.Value);
        command.Parameters.AddWithValue("$expires", c.AccessExpires is { } e ? Format(e) : DBNull.Value);
        command.Parameters.AddWithValue("$refresh", (object?)c.RefreshToken ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", Format(now));
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<StoredVrpConsent?> GetConsentAsync(string consentId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT consent_id, bank, status, created_at, terms_json, creditor_json, debtor_json, access_token, access_expires, refresh_token FROM vrp_consents WHERE consent_id = $id";
        command.Parameters.AddWithValue("$id", consentId);
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredVrpConsent(
            r.GetString(0),
            r.GetString(1),
            Enum.Parse<VrpConsentStatus>(r.GetString(2)),
            Parse(r.GetString(3)),
            JsonSerializer.Deserialize<VrpConsentTerms>(r.GetString(4), Json)!,
            JsonSerializer.Deserialize<AccountIdentification>(r.GetString(5), Json)!,
            r.IsDBNull(6) ? null : JsonSerializer.Deserialize<AccountIdentification>(r.GetString(6), Json),
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : Parse(r.GetString(8)),
            r.IsDBNull(9) ? null : r.GetString(9));
    }

    /// <summary>
    /// Inserts <paramref name="sweep"/> unless <paramref name="check"/>, given the consent's sweeps that count against
    /// its limits, refuses it; both in one IMMEDIATE transaction. Returns the refusal, or null when inserted.
    /// </summary>
    public async Task<(SweepRefusal Refusal, string Detail)?> TryInsertSweepAsync(SweepStatus sweep, Func<IReadOnlyList<SweepStatus>, (SweepRefusal, string)?> check, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct).ConfigureAwait(false);
        var counted = (await ReadSweepsAsync(connection, tx, "consent_id = $p AND state IN ('Pending', 'Submitted', 'Completed')", sweep.ConsentId, ct).ConfigureAwait(false));
        if (check(counted) is { } refusal)
        {
            await tx.RollbackAsync(ct).ConfigureAwait(false);
            return refusal;
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO vrp_sweeps (operation_id, bank, consent_id, amount_minor, state, payment_id, payment_status, refusal, refusal_detail, error_codes, last_error, version, created_at, updated_at)
                VALUES ($op, $bank, $consent, $amount, $state, NULL, NULL, $refusal, $detail, $codes, NULL, 1, $now, $now)
                """;
            insert.Parameters.AddWithValue("$op", sweep.OperationId);
            insert.Parameters.AddWithValue("$bank", sweep.Bank);
            insert.Parameters.AddWithValue("$consent", sweep.ConsentId);
            insert.Parameters.AddWithValue("$amount", sweep.AmountMinor);
            insert.Parameters.AddWithValue("$state", sweep.State.ToString());
            insert.Parameters.AddWithValue("$refusal", sweep.Refusal?.ToString() ?? (object)DBNull.Value);
            insert.Parameters.AddWithValue("$detail", (object?)sweep.RefusalDetail ?? DBNull.Value);
            insert.Parameters.AddWithValue("$codes", sweep.BankErrorCodes.Count == 0 ? DBNull.Value : string.Join(',', sweep.BankErrorCodes));
            insert.Parameters.AddWithValue("$now", Format(sweep.Created));
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await AuditAsync(connection, tx, sweep.OperationId, sweep.Created, null, sweep.State, "created", ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>The consent's sweeps that count against its limits (Pending, Submitted, Completed).</summary>
    public async Task<IReadOnlyList<SweepStatus>> CountedSweepsAsync(string consentId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await ReadSweepsAsync(connection, null, "consent_id = $p AND state IN ('Pending', 'Submitted', 'Completed')", consentId, ct).ConfigureAwait(false);
    }

    public async Task<SweepStatus?> GetSweepAsync(string operationId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return (await ReadSweepsAsync(connection, null, "operation_id = $p", operationId, ct).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<SweepStatus?> FindByPaymentAsync(string bank, string paymentId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return (await ReadSweepsAsync(connection, null, "payment_id = $p", paymentId, ct).ConfigureAwait(false)).SingleOrDefault(s => s.Bank == bank);
    }

    public async Task<IReadOnlyList<SweepStatus>> UnfinishedAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await ReadSweepsAsync(connection, null, "state IN ('Pending', 'Submitted') AND $p = $p", "x", ct).ConfigureAwait(false);
    }

    /// <summary>Replaces the row of <paramref name="before"/> with <paramref name="after"/> if nobody changed it meanwhile; false otherwise.</summary>
    public async Task<bool> TryUpdateSweepAsync(SweepStatus before, SweepStatus after, string @event, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = """
                UPDATE vrp_sweeps SET state = $state, payment_id = $payment, payment_status = $status, refusal = $refusal, refusal_detail = $detail,
                    error_codes = $codes, last_error = $error, version = version + 1, updated_at = $now
                WHERE operation_id = $op AND version = $version
                """;
            update.Parameters.AddWithValue("$op", after.OperationId);
            update.Parameters.AddWithValue("$state", after.State.ToString());
            update.Parameters.AddWithValue("$payment", (object?)after.PaymentId ?? DBNull.Value);
            update.Parameters.AddWithValue("$status", after.BankStatus?.Code ?? (object)DBNull.Value);
            update.Parameters.AddWithValue("$refusal", after.Refusal?.ToString() ?? (object)DBNull.Value);
            update.Parameters.AddWithValue("$detail", (object?)after.RefusalDetail ?? DBNull.Value);
            update.Parameters.AddWithValue("$codes", after.BankErrorCodes.Count == 0 ? DBNull.Value : string.Join(',', after.BankErrorCodes));
            update.Parameters.AddWithValue("$error", (object?)after.LastError ?? DBNull.Value);
            update.Parameters.AddWithValue("$now", Format(after.Updated));
            update.Parameters.AddWithValue("$version", before.Version);
            if (await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
            {
                await tx.RollbackAsync(ct).ConfigureAwait(false);
                return false;
            }
        }

        if (before.State != after.State)
        {
            await AuditAsync(connection, tx, after.OperationId, after.Updated, before.State, after.State, @event, ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The audited transitions of a sweep, oldest first ("from→to event").</summary>
    public async Task<IReadOnlyList<string>> TransitionsAsync(string operationId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(from_state, ''), to_state, event FROM vrp_sweep_transitions WHERE operation_id = $op ORDER BY seq";
        command.Parameters.AddWithValue("$op", operationId);
        var list = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add($"{r.GetString(0)}→{r.GetString(1)} {r.GetString(2)}");
        }

        return list;
    }

    private static async Task AuditAsync(SqliteConnection connection, SqliteTransaction tx, string operationId, DateTimeOffset at, SweepState? from, SweepState to, string @event, CancellationToken ct)
    {
        await using var audit = connection.CreateCommand();
        audit.Transaction = tx;
        audit.CommandText = "INSERT INTO vrp_sweep_transitions (operation_id, at, from_state, to_state, event) VALUES ($op, $at, $from, $to, $event)";
        audit.Parameters.AddWithValue("$op", operationId);
        audit.Parameters.AddWithValue("$at", Format(at));
        audit.Parameters.AddWithValue("$from", from?.ToString() ?? (object)DBNull.Value);
        audit.Parameters.AddWithValue("$to", to.ToString());
        audit.Parameters.AddWithValue("$event", @event);
        await audit.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<List<SweepStatus>> ReadSweepsAsync(SqliteConnection connection, SqliteTransaction? tx, string where, string parameter, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT operation_id, bank, consent_id, amount_minor, state, payment_id, payment_status, refusal, refusal_detail, error_codes, last_error, created_at, updated_at, version FROM vrp_sweeps WHERE "
            + where + " ORDER BY created_at, operation_id";
        command.Parameters.AddWithValue("$p", parameter);
        var list = new List<SweepStatus>();
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new SweepStatus(
                r.GetString(0),
                r.GetString(1),
                r.GetString(2),
                r.GetInt64(3),
                Enum.Parse<SweepState>(r.GetString(4)),
                r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : PaymentStatus.FromCode(r.GetString(6)),
                r.IsDBNull(7) ? null : Enum.Parse<SweepRefusal>(r.GetString(7)),
                r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? [] : r.GetString(9).Split(','),
                r.IsDBNull(10) ? null : r.GetString(10),
                Parse(r.GetString(11)),
                Parse(r.GetString(12))) { Version = r.GetInt64(13) });
        }

        return list;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        if (!_initialised)
        {
            await _init.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!_initialised)
                {
                    Settlement.Storage.OwnerOnlyFile.RestrictSqliteDatabase(Path);
                    await using var first = await ConnectAsync(ct).ConfigureAwait(false);
                    await using var schema = first.CreateCommand();
                    schema.CommandText = Schema;
                    await schema.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    _initialised = true;
                }
            }
            finally
            {
                _init.Release();
            }
        }

        return await ConnectAsync(ct).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";
        await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return connection;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

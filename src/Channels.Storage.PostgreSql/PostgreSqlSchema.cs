using System.Globalization;
using Npgsql;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>
/// The migration every PostgreSQL store of this assembly runs on its database: a table of applied versions (one row per
/// version), then <c>migrations[i]</c> for each version <c>i + 1</c> not yet recorded, each in its own transaction
/// together with the insert of its version row. The version row is the lock, so several instances migrating at once
/// apply each step exactly once, with plain SQL only (no advisory locks: a PostgreSQL-compatible distributed database
/// can hold the store).
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>Brings the database to the newest version; returns the version it had before.</summary>
    /// <param name="connection">An open connection to the store's database.</param>
    /// <param name="store">The store's name in messages, e.g. "voucher store".</param>
    /// <param name="versionTable">The table of applied versions, e.g. <c>payee_schema_migrations</c>.</param>
    /// <param name="migrations">One SQL script per schema version; the newest version is their count. Never edit a released step; append a new one.</param>
    /// <param name="newerAdvice">Appended to the message when the database is newer than this build after the version, ending the sentence (e.g. ": upgrade the payee." or ".").</param>
    /// <param name="applied">Called with each version this call applied, after its commit.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build.</exception>
    public static async Task<long> MigrateAsync(
        NpgsqlConnection connection,
        string store,
        string versionTable,
        IReadOnlyList<string> migrations,
        string newerAdvice,
        Action<int> applied,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(applied);
        await CreateVersionTableAsync(connection, versionTable, cancellationToken).ConfigureAwait(false);
        long version;
        await using (var newest = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {versionTable}", connection))
        {
            version = Convert.ToInt64(await newest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (version > migrations.Count)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL {store} '{connection.Database}' has schema version {version}, newer than this build's {migrations.Count}{newerAdvice}");
            }
        }

        for (var step = 0; step < migrations.Count; step++)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // The version row is the lock: a second instance's insert waits on the unique key until the first
            // commits (then skips the step) or rolls back (then applies it itself).
            await using var claim = new NpgsqlCommand(
                $"INSERT INTO {versionTable} (version, applied_at) VALUES (@version, CURRENT_TIMESTAMP) ON CONFLICT (version) DO NOTHING",
                connection,
                tx);
            claim.Parameters.AddWithValue("version", step + 1);
            if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await using var apply = new NpgsqlCommand(migrations[step], connection, tx);
            await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied(step + 1);
        }

        return version;
    }

    private static async Task CreateVersionTableAsync(NpgsqlConnection connection, string versionTable, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var create = new NpgsqlCommand(
                    $"CREATE TABLE IF NOT EXISTS {versionTable} (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                    connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
            {
                // Two instances created it at the same moment (IF NOT EXISTS checks before it inserts the catalog row):
                // the other one won, so it exists now.
            }
        }
    }
}

using System.Globalization;
using Microsoft.Data.Sqlite;
using Settlement.Storage;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>
/// One SQLite store's file: how each connection opens (the file restricted to its owner on first use, pooled, then the
/// per-connection settings, which the file does not store) and "migrate once, then open": reads and writes call
/// <see cref="OpenMigratedAsync"/>, so they work on a file nobody migrated yet (an empty store) instead of failing on a
/// missing table. The migration itself is the store's (normally <see cref="SqliteSchema.MigrateAsync"/> and a log line).
/// </summary>
internal sealed class SqliteStoreFile
{
    private readonly string _path;
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly Func<SqliteConnection, CancellationToken, Task> _migrate;
    private readonly MigrationGate _migration = new();
    private volatile bool _fileRestricted;

    /// <summary>The file <paramref name="path"/>. Touches nothing until first used.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock.</param>
    /// <param name="foreignKeys">Whether each connection enforces foreign keys.</param>
    /// <param name="migrate">The store's migration on an open connection; safe to run again.</param>
    public SqliteStoreFile(string path, TimeSpan busyTimeout, bool foreignKeys, Func<SqliteConnection, CancellationToken, Task> migrate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(migrate);
        _path = path;
        _migrate = migrate;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max((int)Math.Ceiling(busyTimeout.TotalSeconds), 1),
        }.ToString();

        // Per connection (these settings are not stored in the file). FULL: the WAL is fsynced at every commit, so a
        // committed row survives a power cut, not only a process crash.
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;{(foreignKeys ? " PRAGMA foreign_keys = ON;" : string.Empty)}");
    }

    /// <summary>Runs the store's migration (one at a time per store object); afterwards <see cref="OpenMigratedAsync"/> no longer migrates.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    public Task MigrateAsync(CancellationToken cancellationToken) => _migration.RunAsync(MigrateOnceAsync, cancellationToken);

    /// <summary>Migrates unless a migration already succeeded, then opens a connection.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<SqliteConnection> OpenMigratedAsync(CancellationToken cancellationToken)
    {
        await _migration.EnsureAsync(MigrateOnceAsync, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection with the per-connection settings (the caller disposes it), without migrating.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
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
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = _connectionPragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await _migrate(connection, cancellationToken).ConfigureAwait(false);
    }
}

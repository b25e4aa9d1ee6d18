using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>
/// The start-up every SQLite store of this assembly runs on its file: WAL journal mode (stored in the file, so set once,
/// outside any transaction), then the schema brought to the newest version in one transaction by applying
/// <c>migrations[user_version..]</c>, each step followed by its <c>PRAGMA user_version</c>.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Enables WAL and migrates; returns the version the file had before.</summary>
    /// <param name="connection">An open connection to the store's file.</param>
    /// <param name="store">The store's name in messages, e.g. "voucher store".</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="migrations">One SQL script per schema version; the newest version is their count.</param>
    /// <param name="newerAdvice">Appended to the message when the file is newer than this build after the version, ending the sentence (e.g. ": upgrade the payee." or ".").</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="InvalidOperationException">The file's schema is newer than this build, or WAL could not be enabled.</exception>
    public static async Task<long> MigrateAsync(
        SqliteConnection connection, string store, string path, IReadOnlyList<string> migrations, string newerAdvice, CancellationToken cancellationToken)
    {
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL";
            var mode = Convert.ToString(await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite {store} '{path}': could not enable WAL (journal mode is '{mode}').");
            }
        }

        // BEGIN IMMEDIATE: a second process migrating the same file waits, then sees the new version.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long version;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "PRAGMA user_version";
            version = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        if (version > migrations.Count)
        {
            throw new InvalidOperationException(
                $"SQLite {store} '{path}' has schema version {version}, newer than this build's {migrations.Count}{newerAdvice}");
        }

        for (var step = (int)version; step < migrations.Count; step++)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = migrations[step] + string.Create(CultureInfo.InvariantCulture, $"; PRAGMA user_version = {step + 1};");
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }
}

using Microsoft.Data.Sqlite;
using Settlement.Channels.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Storage;

namespace Settlement.Channels.IntegrationTests.Storage.Sqlite;

/// <summary>The SQLite file plumbing both SQLite stores share: per-connection settings, owner-only files, migrate once.</summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-storefile-");

    private string DatabasePath => Path.Combine(_directory.FullName, "store.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <remarks>The bundled SQLite enforces foreign keys by default, so <c>foreign_keys</c> reads 1 either way.</remarks>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenAsync_AppliesThePerConnectionSettings(bool foreignKeys)
    {
        var file = new SqliteStoreFile(DatabasePath, TimeSpan.FromSeconds(10), foreignKeys, (_, _) => Task.CompletedTask);

        await using var connection = await file.OpenAsync(CancellationToken.None);

        (await ScalarAsync(connection, "PRAGMA busy_timeout")).ShouldBe(10_000L);
        (await ScalarAsync(connection, "PRAGMA synchronous")).ShouldBe(2L); // FULL
        (await ScalarAsync(connection, "PRAGMA foreign_keys")).ShouldBe(1L);
        connection.CreateCommand().CommandTimeout.ShouldBe(10);
    }

    [Fact]
    public async Task OpenAsync_SubSecondBusyTimeout_CommandTimeoutIsOneSecond()
    {
        var file = new SqliteStoreFile(DatabasePath, TimeSpan.FromMilliseconds(250), foreignKeys: false, (_, _) => Task.CompletedTask);

        await using var connection = await file.OpenAsync(CancellationToken.None);

        (await ScalarAsync(connection, "PRAGMA busy_timeout")).ShouldBe(250L);
        connection.CreateCommand().CommandTimeout.ShouldBe(1);
    }

    [Fact]
    public void Constructor_BadArguments_NameTheParameter()
    {
        Should.Throw<ArgumentException>(() => new SqliteStoreFile(" ", TimeSpan.FromSeconds(1), false, (_, _) => Task.CompletedTask)).ParamName.ShouldBe("path");
        Should.Throw<ArgumentNullException>(() => new SqliteStoreFile(DatabasePath, TimeSpan.FromSeconds(1), false, null!)).ParamName.ShouldBe("migrate");
    }

    [Fact]
    public async Task OpenMigratedAsync_MigratesOnce()
    {
        var runs = 0;
        var file = new SqliteStoreFile(DatabasePath, TimeSpan.FromSeconds(1), false, (_, _) => { runs++; return Task.CompletedTask; });

        await (await file.OpenMigratedAsync(CancellationToken.None)).DisposeAsync();
        await (await file.OpenMigratedAsync(CancellationToken.None)).DisposeAsync();

        runs.ShouldBe(1);
    }

    [Fact]
    public async Task MigrateAsync_InMemoryDatabase_RefusedForWal()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => SqliteSchema.MigrateAsync(connection, "voucher store", ":memory:", [], ".", CancellationToken.None));

        ex.Message.ShouldBe("SQLite voucher store ':memory:': could not enable WAL (journal mode is 'memory').");
    }

    [Fact]
    public void RestrictSqliteDatabase_ExistingFiles_AllThreeNarrowed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.WriteAllBytes(DatabasePath + suffix, [1]);
            File.SetUnixFileMode(DatabasePath + suffix, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        OwnerOnlyFile.RestrictSqliteDatabase(DatabasePath);

        File.GetUnixFileMode(DatabasePath).ShouldBe(OwnerOnly);
        File.GetUnixFileMode(DatabasePath + "-wal").ShouldBe(OwnerOnly);
        File.GetUnixFileMode(DatabasePath + "-shm").ShouldBe(OwnerOnly);
    }

    [Fact]
    public void RestrictSqliteDatabase_MissingFile_CreatedEmptyOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        OwnerOnlyFile.RestrictSqliteDatabase(DatabasePath);

        new FileInfo(DatabasePath).Length.ShouldBe(0);
        File.GetUnixFileMode(DatabasePath).ShouldBe(OwnerOnly);
    }

    [Fact]
    public void RestrictSqliteDatabase_NotAFilePath_LeftAlone()
    {
        var memory = Path.Combine(Environment.CurrentDirectory, ":memory:");
        var existed = File.Exists(memory);
        try
        {
            OwnerOnlyFile.RestrictSqliteDatabase("");
            OwnerOnlyFile.RestrictSqliteDatabase(":memory:");
            OwnerOnlyFile.RestrictSqliteDatabase("FILE:" + DatabasePath);

            File.Exists(memory).ShouldBe(existed);
            File.Exists(DatabasePath).ShouldBeFalse();
        }
        finally
        {
            if (!existed && File.Exists(memory))
            {
                File.Delete(memory);
            }
        }
    }
}

/// <summary>The "migrate once" gate both stores share.</summary>
public sealed class MigrationGateTests
{
    [Fact]
    public async Task EnsureAsync_AfterASuccessfulRun_DoesNotRunAgain()
    {
        var gate = new MigrationGate();
        var runs = 0;
        Task Migrate(CancellationToken _)
        {
            runs++;
            return Task.CompletedTask;
        }

        await gate.RunAsync(Migrate, CancellationToken.None);
        await gate.EnsureAsync(Migrate, CancellationToken.None);

        runs.ShouldBe(1);
    }

    [Fact]
    public async Task EnsureAsync_AfterAFailedRun_RunsAgain()
    {
        var gate = new MigrationGate();
        var runs = 0;
        Task Migrate(CancellationToken _) => ++runs == 1 ? throw new InvalidOperationException("first") : Task.CompletedTask;

        await Should.ThrowAsync<InvalidOperationException>(() => gate.EnsureAsync(Migrate, CancellationToken.None));
        await gate.EnsureAsync(Migrate, CancellationToken.None);
        await gate.EnsureAsync(Migrate, CancellationToken.None);

        runs.ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_NullMigration_NamesTheParameter()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => new MigrationGate().RunAsync(null!, CancellationToken.None))).ParamName.ShouldBe("migrate");
    }

    [Fact]
    public async Task Cancelled_RefusedBeforeAnything()
    {
        var gate = new MigrationGate();
        var runs = 0;
        Task Migrate(CancellationToken _)
        {
            runs++;
            return Task.CompletedTask;
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => gate.RunAsync(Migrate, cancelled.Token));
        await gate.RunAsync(Migrate, CancellationToken.None);
        await Should.ThrowAsync<OperationCanceledException>(() => gate.EnsureAsync(Migrate, cancelled.Token));

        runs.ShouldBe(1);
    }
}

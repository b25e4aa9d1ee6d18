using Microsoft.Data.Sqlite;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>The payer store contract on SQLite, plus what only a file has: 0600, WAL, the upgrade of a version-1 file.</summary>
public sealed class SqlitePayerStoreTests : PayerStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-payer-");
    private readonly List<SqlitePayerStore> _stores = [];

    private string DatabasePath => Path.Combine(_directory.FullName, "payer.db");

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_NewFile_OwnerOnlyAndWal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = await OpenStoreAsync();
        await store.SaveChannelAsync(Record(1));

        File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(DatabasePath + "-wal").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await ScalarAsync("PRAGMA journal_mode")).ShouldBe("wal");
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqlitePayerStore.SchemaVersion);
    }

    [Fact]
    public async Task Migrate_VersionOneFile_UpgradedWithChannelsKept()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 77), 7)]);
        await ScalarAsync("DROP TABLE payer_meters; PRAGMA user_version = 1;");
        SqliteConnection.ClearAllPools();

        var upgraded = await OpenStoreAsync();
        await upgraded.SaveMeterAsync(new PayerMeterState(record.Key, "meter", 3, 0, 77, 0, 0));

        (await upgraded.GetChannelAsync(record.Key))!.SignedAmount.ShouldBe(new System.Numerics.BigInteger(77));
        (await upgraded.GetMeterAsync(record.Key, "meter"))!.Units.ShouldBe(new System.Numerics.BigInteger(3));
        (await ScalarAsync("PRAGMA user_version")).ShouldBe(2L);
    }

    [Fact]
    public async Task Migrate_FileFromANewerBuild_Refused()
    {
        await (await OpenStoreAsync()).MigrateAsync();
        await ScalarAsync($"PRAGMA user_version = {SqlitePayerStore.SchemaVersion + 1}");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => new SqlitePayerStore(DatabasePath).MigrateAsync());

        ex.Message.ShouldBe($"SQLite payer store '{DatabasePath}' has schema version {SqlitePayerStore.SchemaVersion + 1}, newer than this build's {SqlitePayerStore.SchemaVersion}.");
    }

    protected override Task<IPayerStore> OpenStoreAsync()
    {
        var store = new SqlitePayerStore(DatabasePath);
        _stores.Add(store);
        return Task.FromResult<IPayerStore>(store);
    }

    protected override async Task<Exception> DeleteReceiptsAsync() =>
        await Should.ThrowAsync<SqliteException>(() => ScalarAsync("DELETE FROM payer_receipts"));

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

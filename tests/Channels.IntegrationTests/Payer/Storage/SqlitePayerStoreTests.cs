using Microsoft.Data.Sqlite;
using Settlement.Channels.Payer.Receipts;
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

    [Fact]
    public async Task SaveVouchers_EmptyBatch_TouchesNoFile()
    {
        var store = await OpenStoreAsync();

        await store.SaveVouchersAsync([]);

        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task BadArguments_RefusedBeforeTheFileIsOpened()
    {
        var store = await OpenStoreAsync();
        var key = Record(1).Key;

        await ShouldRefuseBadArgumentsAsync(store, key);
        store.ToString().ShouldBe($"SQLite payer store at {DatabasePath}");
        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task ListReceipts_TimeStoredWithAnOffset_ReadBackInUtc()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await store.AppendReceiptAsync(new PayerReceipt(record.Key, 10, 10, Sign(record, 10).Signature, new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero)));
        await ScalarAsync("DROP TRIGGER payer_receipts_no_update; UPDATE payer_receipts SET received_at = '2026-12-02T14:00:00.0000000+02:00'");

        var receipt = (await store.ListReceiptsAsync(record.Key)).ShouldHaveSingleItem();

        receipt.ReceivedAt.Offset.ShouldBe(TimeSpan.Zero);
        receipt.ReceivedAt.ShouldBe(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task ListReceipts_CorruptRow_RefusedNamingTheChannel()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await store.AppendReceiptAsync(new PayerReceipt(record.Key, 10, 10, Sign(record, 10).Signature, DateTimeOffset.UnixEpoch));
        await ScalarAsync("DROP TRIGGER payer_receipts_no_update; UPDATE payer_receipts SET received_at = 'yesterday'");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.ListReceiptsAsync(record.Key));

        ex.Message.ShouldBe($"Payer store '{DatabasePath}': a receipt row of channel {record.Key} is corrupt.");
    }

    [Fact]
    public async Task GetChannel_CorruptAmountOrSignature_RefusedNamingTheColumn()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await ScalarAsync("PRAGMA ignore_check_constraints = ON; UPDATE payer_channels SET deposit = zeroblob(31)");

        (await Should.ThrowAsync<InvalidOperationException>(() => store.GetChannelAsync(record.Key)))
            .Message.ShouldBe($"Payer store '{DatabasePath}': column 8 of channel {record.Key} is not a 32-byte amount.");

        await ScalarAsync("PRAGMA ignore_check_constraints = ON; UPDATE payer_channels SET deposit = zeroblob(32), signed_signature = zeroblob(3)");

        (await Should.ThrowAsync<InvalidOperationException>(() => store.GetChannelAsync(record.Key)))
            .Message.ShouldBe($"Payer store '{DatabasePath}': the signature in column 13 of channel {record.Key} is malformed.");
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

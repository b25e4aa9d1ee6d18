using Microsoft.Data.Sqlite;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>The voucher store contract on a SQLite file, plus what only a file has (its mode, its journal).</summary>
public sealed class SqliteVoucherStoreTests : VoucherStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-vouchers-");

    private string DatabasePath => Path.Combine(_directory.FullName, "vouchers.db");

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Migrate_NewFile_OwnerOnlyAndWal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = await OpenStoreAsync();

        await store.MigrateAsync();
        await store.SaveNewestAsync([Voucher(Key(), 1, 1)]);

        File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(DatabasePath + "-wal").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await ScalarAsync("PRAGMA journal_mode")).ShouldBe("wal");
        (await ScalarAsync("PRAGMA user_version")).ShouldBe(SqliteVoucherStore.SchemaVersion);
    }

    [Fact]
    public async Task Migrate_ExistingWorldReadableFile_NarrowedToOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await File.WriteAllBytesAsync(DatabasePath, []);
        File.SetUnixFileMode(DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await (await OpenStoreAsync()).MigrateAsync();

        File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Migrate_FileFromANewerBuild_Refused()
    {
        await (await OpenStoreAsync()).MigrateAsync();
        await ScalarAsync($"PRAGMA user_version = {SqliteVoucherStore.SchemaVersion + 1}");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = DatabasePath }).MigrateAsync());

        ex.Message.ShouldContain("newer");
    }

    [Fact]
    public async Task Migrate_Version1File_AddsCloseAgreementsAndKeepsVouchers()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 500, 1)]);
        await ScalarAsync("DROP TABLE payee_close_agreements; PRAGMA user_version = 1;");

        var upgraded = await OpenStoreAsync();
        await upgraded.MigrateAsync();
        var agreement = Agreement(Key(), 500, 0, 1_800_000_000, 3);
        await upgraded.SaveCloseAgreementAsync(agreement);

        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteVoucherStore.SchemaVersion);
        SqliteVoucherStore.SchemaVersion.ShouldBe(4);
        (await upgraded.GetNewestAsync(Key()))!.Cumulative.ShouldBe(new System.Numerics.BigInteger(500));
        (await upgraded.ListCloseAgreementsAsync()).ShouldHaveSingleItem().Deadline.ShouldBe(1_800_000_000UL);
    }

    [Fact]
    public async Task AppendFlag_RowUpdatedOrDeleted_RefusedByTrigger()
    {
        var store = await OpenStoreAsync();
        await store.AppendFlagAsync(Flag(Key(), Channels.Payee.Velocity.VelocityRule.ChannelPaymentsPerSecond, T0));

        await Should.ThrowAsync<SqliteException>(() => ScalarAsync("UPDATE payee_velocity_flags SET refused = 1"));
        await Should.ThrowAsync<SqliteException>(() => ScalarAsync("DELETE FROM payee_velocity_flags"));
    }

    protected override Task<IVoucherStore> OpenStoreAsync() =>
        Task.FromResult<IVoucherStore>(new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = DatabasePath }));

    protected override Task CorruptVoucherSignaturesAsync() => ScalarAsync("UPDATE payee_vouchers SET signature = zeroblob(65)");

    protected override Task CorruptChannelsAsync() => ScalarAsync("UPDATE payee_channels SET challenge_period = -1");

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

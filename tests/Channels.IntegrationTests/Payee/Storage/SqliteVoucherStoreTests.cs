using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
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

    [Fact]
    public async Task Migrate_NewFile_LogsTheMigrationOnce()
    {
        var first = new RecordingLogger();
        await new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = DatabasePath }, first).MigrateAsync();
        var second = new RecordingLogger();
        await new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = DatabasePath }, second).MigrateAsync();

        first.Entries.ShouldBe([(LogLevel.Information, $"Voucher store {DatabasePath}: schema migrated from version 0 to {SqliteVoucherStore.SchemaVersion}")]);
        second.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task SaveNewest_EmptyBatch_TouchesNoFile()
    {
        var store = await OpenStoreAsync();

        (await store.SaveNewestAsync([])).ShouldBeEmpty();

        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task SaveNewest_StoredAmountNotAWord_RefusedAndRowUnchanged()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 5, 1)]);
        await ScalarAsync("PRAGMA ignore_check_constraints = ON; UPDATE payee_vouchers SET cumulative = zeroblob(31)"); // past the CHECK, as a foreign writer could

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.SaveNewestAsync([Voucher(Key(), 9, 2)]));

        ex.Message.ShouldBe($"The voucher row of channel {Key()} is corrupt: the cumulative amount is not a 32-byte word.");
        (await ScalarAsync("SELECT hex(cumulative) || '/' || hex(substr(signature, 1, 1)) FROM payee_vouchers")).ShouldBe(new string('0', 62) + "/01");
    }

    [Fact]
    public async Task GetNewest_TimeStoredWithAnOffset_ReadBackInUtc()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 5, 1)]);
        await ScalarAsync("UPDATE payee_vouchers SET received_at = '2026-03-01T14:00:00.0000000+02:00'");

        var voucher = (await store.GetNewestAsync(Key())).ShouldNotBeNull();

        voucher.ReceivedAt.Offset.ShouldBe(TimeSpan.Zero);
        voucher.ReceivedAt.ShouldBe(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task SaveCloseAgreement_ZeroDeadline_RefusedBeforeWriting()
    {
        var store = await OpenStoreAsync();
        await store.MigrateAsync();

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.SaveCloseAgreementAsync(Agreement(Key(), 5, 0, 0, 1)));

        (await ScalarAsync("SELECT count(*) FROM payee_close_agreements")).ShouldBe(0L);
    }

    [Fact]
    public async Task NullArguments_NameTheParameter()
    {
        var store = await OpenStoreAsync();

        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveCloseRequestAsync(null!))).ParamName.ShouldBe("request");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.GetRefundAsync(Key(), null!))).ParamName.ShouldBe("idempotencyKey");
        store.ToString().ShouldBe($"SQLite voucher store at {DatabasePath}");
    }

    private sealed class RecordingLogger : ILogger<SqliteVoucherStore>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
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

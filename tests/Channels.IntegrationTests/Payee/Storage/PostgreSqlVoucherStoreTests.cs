extern alias postgres;

using Microsoft.Extensions.Logging;
using Npgsql;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payee.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;
using Xunit.Abstractions;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>The voucher store contract on PostgreSQL: one local server for the run, a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlVoucherStoreTests(PostgresFixture postgres, ITestOutputHelper output) : VoucherStoreContract
{
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("No database yet.");

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    [Fact]
    public void Server_Started_WithinSeconds()
    {
        output.WriteLine($"PostgreSQL started in {postgres.Server.StartupTime.TotalMilliseconds:F0} ms ({postgres.Server})");

        postgres.Server.StartupTime.ShouldBeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Migrate_TwoInstancesAtOnce_EachStepAppliedOnce()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => OpenStore()).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.MigrateAsync())));

        (await ScalarAsync("SELECT COUNT(*) FROM payee_schema_migrations")).ShouldBe((long)PostgreSqlVoucherStore.SchemaVersion);
        (await stores[0].SaveNewestAsync([Voucher(Key(), 5, 1)]))[0].Applied.ShouldBeTrue();
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_Refused()
    {
        await OpenStore().MigrateAsync();
        await ScalarAsync($"INSERT INTO payee_schema_migrations (version, applied_at) VALUES ({PostgreSqlVoucherStore.SchemaVersion + 1}, CURRENT_TIMESTAMP)");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => OpenStore().MigrateAsync());

        ex.Message.ShouldEndWith(
            $"has schema version {PostgreSqlVoucherStore.SchemaVersion + 1}, newer than this build's {PostgreSqlVoucherStore.SchemaVersion}: upgrade the payee.");
        (await ScalarAsync("SELECT COUNT(*) FROM payee_schema_migrations")).ShouldBe((long)PostgreSqlVoucherStore.SchemaVersion + 1);
    }

    [Fact]
    public async Task Migrate_AgainByAnotherInstance_NoStepAppliedTwice()
    {
        await OpenStore().MigrateAsync();
        var appliedAt = await ScalarAsync("SELECT string_agg(version || '@' || applied_at, ',' ORDER BY version) FROM payee_schema_migrations");

        await OpenStore().MigrateAsync();

        (await ScalarAsync("SELECT string_agg(version || '@' || applied_at, ',' ORDER BY version) FROM payee_schema_migrations")).ShouldBe(appliedAt);
        (await ScalarAsync("SELECT COUNT(*) FROM payee_schema_migrations")).ShouldBe((long)PostgreSqlVoucherStore.SchemaVersion);
    }

    [Fact]
    public async Task SaveNewest_TwoInstancesWritingManyChannelsInOppositeOrders_NoDeadlockAndMaxKept()
    {
        var first = OpenStore();
        var second = OpenStore();
        var keys = Enumerable.Range(1, 20).Select(i => Key(channel: (byte)i)).ToList();

        // Each batch lists the channels in opposite orders: the store's fixed lock order keeps them from deadlocking.
        var writes = Enumerable.Range(1, 30).SelectMany(round => new[]
        {
            Task.Run(() => first.SaveNewestAsync(keys.Select(k => Voucher(k, (2 * round) + 1, 1)).ToList())),
            Task.Run(() => second.SaveNewestAsync(keys.AsEnumerable().Reverse().Select(k => Voucher(k, 2 * round, 2)).ToList())),
        });
        await Task.WhenAll(writes);

        (await first.ListNewestAsync()).ShouldAllBe(v => v.Cumulative == 61);
    }

    [Fact]
    public async Task Migrate_NewDatabase_LogsEachVersionOnce()
    {
        var first = new RecordingLogger<PostgreSqlVoucherStore>();
        await OpenStore(first).MigrateAsync();
        var second = new RecordingLogger<PostgreSqlVoucherStore>();
        await OpenStore(second).MigrateAsync();

        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        first.Entries.ShouldBe(Enumerable.Range(1, PostgreSqlVoucherStore.SchemaVersion)
            .Select(version => (LogLevel.Information, $"Voucher store in database {database}: schema version {version} applied")));
        second.Entries.ShouldBeEmpty();
        (await ScalarAsync("SELECT string_agg(version::text, ',' ORDER BY version) FROM payee_schema_migrations"))
            .ShouldBe(string.Join(',', Enumerable.Range(1, PostgreSqlVoucherStore.SchemaVersion)));
    }

    [Fact]
    public async Task Constructor_BadArguments_NameTheParameter()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);

        Should.Throw<ArgumentNullException>(() => new PostgreSqlVoucherStore(null!)).ParamName.ShouldBe("dataSource");
        Should.Throw<ArgumentOutOfRangeException>(() => new PostgreSqlVoucherStore(dataSource, -1)).ParamName.ShouldBe("maxRetries");
        new PostgreSqlVoucherStore(dataSource, 0).ToString().ShouldBe("PostgreSQL voucher store");
    }

    [Fact]
    public async Task SaveNewest_StoredAmountNotAWord_RefusedAndRowUnchanged()
    {
        var store = OpenStore();
        await store.SaveNewestAsync([Voucher(Key(), 5, 1)]);
        // Past the CHECK, as a foreign writer could.
        await ScalarAsync("ALTER TABLE payee_vouchers DROP CONSTRAINT payee_vouchers_cumulative_check; UPDATE payee_vouchers SET cumulative = decode(repeat('00', 31), 'hex')");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.SaveNewestAsync([Voucher(Key(), 9, 2)]));

        ex.Message.ShouldBe($"The voucher row of channel {Key()} is corrupt: the cumulative amount is not a 32-byte word.");
        (await ScalarAsync("SELECT encode(cumulative, 'hex') || '/' || encode(substring(signature from 1 for 1), 'hex') FROM payee_vouchers"))
            .ShouldBe(new string('0', 62) + "/01");
    }

    [Fact]
    public async Task SaveNewest_RowNeitherExistsNorInsertable_RefusedAfterThreeRounds()
    {
        var store = OpenStore();
        await store.MigrateAsync();
        // Every insert is silently skipped and counted (a sequence, which the batch's rollback does not undo): the row
        // never exists, however often the store tries.
        await ScalarAsync("""
            CREATE SEQUENCE insert_attempts;
            CREATE FUNCTION skip_voucher_insert() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN PERFORM nextval('insert_attempts'); RETURN NULL; END $$;
            CREATE TRIGGER skip_voucher_insert BEFORE INSERT ON payee_vouchers FOR EACH ROW EXECUTE FUNCTION skip_voucher_insert();
            """);
        using var runaway = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a loop that never gives up fails here instead of hanging

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.SaveNewestAsync([Voucher(Key(), 5, 1)], runaway.Token));

        ex.Message.ShouldBe($"The voucher row of channel {Key()} neither exists nor can be inserted.");
        (await ScalarAsync("SELECT last_value FROM insert_attempts")).ShouldBe(3L);
        (await ScalarAsync("SELECT count(*) FROM payee_vouchers")).ShouldBe(0L);
    }

    protected override Task<IVoucherStore> OpenStoreAsync() => Task.FromResult<IVoucherStore>(OpenStore());

    protected override Task CorruptVoucherSignaturesAsync() => ScalarAsync("UPDATE payee_vouchers SET signature = decode(repeat('00', 65), 'hex')");

    protected override Task CorruptChannelsAsync() => ScalarAsync("UPDATE payee_channels SET challenge_period = -1");

    private PostgreSqlVoucherStore OpenStore(ILogger<PostgreSqlVoucherStore>? logger = null)
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return new PostgreSqlVoucherStore(dataSource, logger: logger);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

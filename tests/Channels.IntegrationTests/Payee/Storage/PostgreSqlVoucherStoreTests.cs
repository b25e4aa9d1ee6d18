using Npgsql;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.PostgreSql;
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

    protected override Task<IVoucherStore> OpenStoreAsync() => Task.FromResult<IVoucherStore>(OpenStore());

    protected override Task CorruptVoucherSignaturesAsync() => ScalarAsync("UPDATE payee_vouchers SET signature = decode(repeat('00', 65), 'hex')");

    protected override Task CorruptChannelsAsync() => ScalarAsync("UPDATE payee_channels SET challenge_period = -1");

    private PostgreSqlVoucherStore OpenStore()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return new PostgreSqlVoucherStore(dataSource);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

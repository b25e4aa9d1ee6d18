using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.PostgreSql;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>The payer store contract on PostgreSQL (the shared local server, a fresh database per test), plus migration.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlPayerStoreTests(PostgresFixture postgres) : PayerStoreContract
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

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_FourInstancesAtOnce_EachStepAppliedOnce()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => OpenStore()).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.MigrateAsync())));

        (await ScalarAsync("SELECT COUNT(*) FROM payer_schema_migrations")).ShouldBe((long)PostgreSqlPayerStore.SchemaVersion);
        await stores[0].SaveChannelAsync(Record(1));
        (await stores[3].GetChannelAsync(Record(1).Key))!.Record.ShouldBe(Record(1));
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_Refused()
    {
        await OpenStore().MigrateAsync();
        await ScalarAsync($"INSERT INTO payer_schema_migrations (version, applied_at) VALUES ({PostgreSqlPayerStore.SchemaVersion + 1}, CURRENT_TIMESTAMP)");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => OpenStore().MigrateAsync());

        ex.Message.ShouldEndWith($"has schema version {PostgreSqlPayerStore.SchemaVersion + 1}, newer than this build's {PostgreSqlPayerStore.SchemaVersion}.");
    }

    [Fact]
    public async Task Migrate_AgainByAnotherInstance_NoStepAppliedTwice()
    {
        await OpenStore().MigrateAsync();
        var appliedAt = await ScalarAsync("SELECT string_agg(version || '@' || applied_at, ',' ORDER BY version) FROM payer_schema_migrations");

        await OpenStore().MigrateAsync();

        (await ScalarAsync("SELECT string_agg(version || '@' || applied_at, ',' ORDER BY version) FROM payer_schema_migrations")).ShouldBe(appliedAt);
        (await ScalarAsync("SELECT COUNT(*) FROM payer_schema_migrations")).ShouldBe((long)PostgreSqlPayerStore.SchemaVersion);
    }

    [Fact]
    public async Task SaveVouchers_TwoInstancesManyChannelsOppositeOrders_NoDeadlockAndMaxKept()
    {
        var first = OpenStore();
        var second = OpenStore();
        var records = Enumerable.Range(1, 20).Select(i => Record((ulong)i)).ToList();
        foreach (var record in records)
        {
            await first.SaveChannelAsync(record);
        }

        var writes = Enumerable.Range(1, 20).SelectMany(round => new[]
        {
            Task.Run(() => first.SaveVouchersAsync(records.Select(r => new PayerVoucherWrite(r.Key, Sign(r, (2 * round) + 1), round)).ToList())),
            Task.Run(() => second.SaveVouchersAsync(records.AsEnumerable().Reverse().Select(r => new PayerVoucherWrite(r.Key, Sign(r, 2 * round), round)).ToList())),
        });
        await Task.WhenAll(writes);

        (await first.ListChannelsAsync()).ShouldAllBe(c => c.SignedAmount == 41 && c.Acknowledged == 20);
    }

    protected override Task<IPayerStore> OpenStoreAsync() => Task.FromResult<IPayerStore>(OpenStore());

    protected override async Task<Exception> DeleteReceiptsAsync() =>
        await Should.ThrowAsync<PostgresException>(() => ScalarAsync("DELETE FROM payer_receipts"));

    private PostgreSqlPayerStore OpenStore()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return new PostgreSqlPayerStore(dataSource);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

extern alias postgres;

using Microsoft.Extensions.Logging;
using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;

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

    [Fact]
    public async Task Migrate_NewDatabase_LogsEachVersionOnce()
    {
        var first = new RecordingLogger<PostgreSqlPayerStore>();
        await OpenStore(first).MigrateAsync();
        var second = new RecordingLogger<PostgreSqlPayerStore>();
        await OpenStore(second).MigrateAsync();

        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        first.Entries.ShouldBe(Enumerable.Range(1, PostgreSqlPayerStore.SchemaVersion)
            .Select(version => (LogLevel.Information, $"Payer store in database {database}: schema version {version} applied")));
        second.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task Constructor_BadArguments_NameTheParameter()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);

        Should.Throw<ArgumentNullException>(() => new PostgreSqlPayerStore(null!)).ParamName.ShouldBe("dataSource");
        Should.Throw<ArgumentOutOfRangeException>(() => new PostgreSqlPayerStore(dataSource, -1)).ParamName.ShouldBe("maxRetries");
        new PostgreSqlPayerStore(dataSource, 0).ToString().ShouldBe("PostgreSQL payer store");
    }

    [Fact]
    public async Task SaveVouchers_EmptyBatch_TouchesNothing()
    {
        await OpenStore().SaveVouchersAsync([]);

        (await ScalarAsync("SELECT to_regclass('payer_schema_migrations') IS NULL")).ShouldBe(true);
    }

    [Fact]
    public async Task ListReceipts_CorruptRow_RefusedNamingTheChannel()
    {
        var store = OpenStore();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await store.AppendReceiptAsync(new PayerReceipt(record.Key, 10, 10, Sign(record, 10).Signature, DateTimeOffset.UnixEpoch));
        await ScalarAsync("ALTER TABLE payer_receipts DISABLE TRIGGER payer_receipts_no_change; UPDATE payer_receipts SET signature = decode(repeat('00', 65), 'hex')");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.ListReceiptsAsync(record.Key));

        ex.Message.ShouldBe($"PostgreSQL payer store: a receipt row of channel {record.Key} is corrupt.");
    }

    [Fact]
    public async Task GetChannel_CorruptAmountOrSignature_RefusedNamingTheColumn()
    {
        var store = OpenStore();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await ScalarAsync("ALTER TABLE payer_channels DROP CONSTRAINT payer_channels_deposit_check; UPDATE payer_channels SET deposit = decode(repeat('00', 31), 'hex')");

        (await Should.ThrowAsync<InvalidOperationException>(() => store.GetChannelAsync(record.Key)))
            .Message.ShouldBe($"PostgreSQL payer store: column 8 of channel {record.Key} is not a 32-byte amount.");

        await ScalarAsync("UPDATE payer_channels SET deposit = decode(repeat('00', 32), 'hex'), signed_signature = decode(repeat('00', 65), 'hex')");

        (await Should.ThrowAsync<InvalidOperationException>(() => store.GetChannelAsync(record.Key)))
            .Message.ShouldBe($"PostgreSQL payer store: the signature in column 13 of channel {record.Key} is malformed.");
    }

    [Fact]
    public async Task GetChannel_ChallengePeriodAboveUInt32_Refused()
    {
        var store = OpenStore();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await ScalarAsync("UPDATE payer_channels SET challenge_period = 4294967296");

        await Should.ThrowAsync<OverflowException>(() => store.GetChannelAsync(record.Key));
    }

    protected override Task<IPayerStore> OpenStoreAsync() => Task.FromResult<IPayerStore>(OpenStore());

    protected override async Task<Exception> DeleteReceiptsAsync() =>
        await Should.ThrowAsync<PostgresException>(() => ScalarAsync("DELETE FROM payer_receipts"));

    private PostgreSqlPayerStore OpenStore(ILogger<PostgreSqlPayerStore>? logger = null)
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        return new PostgreSqlPayerStore(dataSource, logger: logger);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

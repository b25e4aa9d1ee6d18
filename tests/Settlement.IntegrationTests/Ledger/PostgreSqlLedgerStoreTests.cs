using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>The ledger contract on PostgreSQL: one local server for the run, a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PostgreSqlLedgerStoreTests(PostgresFixture postgres) : LedgerStoreContract
{
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("No database yet.");

    protected override string DisableJournalTriggersSql => "ALTER TABLE ledger_journal DISABLE TRIGGER USER;";

    protected override int PropertyRuns => 10;

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrate_ManyInstancesAtOnce_EachStepAppliedOnce()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => OpenStore()).ToList();

        await Task.WhenAll(stores.Select(store => Task.Run(() => store.MigrateAsync())));

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM ledger_schema_migrations", connection);
        (await count.ExecuteScalarAsync()).ShouldBe((long)PostgreSqlLedgerStore.SchemaVersion);
    }

    /// <summary>A new store instance on the test's one data source (a data source per instance would exhaust the server's connections).</summary>
    protected override ILedgerStore OpenStore()
    {
        if (_dataSources.Count == 0)
        {
            _dataSources.Add(NpgsqlDataSource.Create(ConnectionString));
        }

        return new PostgreSqlLedgerStore(_dataSources[0], Clock);
    }

    protected override string Blob(UInt128 value) => "'\\x" + Convert.ToHexStringLower(LedgerCodecForTests.Encode(value)) + "'::bytea";

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

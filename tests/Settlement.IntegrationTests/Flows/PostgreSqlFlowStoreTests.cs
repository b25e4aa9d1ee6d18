using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Flows;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The flow store contract on PostgreSQL: one local server for the run, a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlFlowStoreTests(PostgresFixture postgres) : FlowStoreContract
{
    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("No database yet.");

    protected override IFlowStore Store() => new PostgreSqlLedgerStore(DataSource);

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task InitializeAsync() => _dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}

using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer on Anvil into PostgreSQL ledgers (one local server for the run).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlAnvilIndexerTests(AnvilNode node, PostgresFixture postgres) : AnvilIndexerContract(node), IClassFixture<AnvilNode>
{
    private readonly Dictionary<string, NpgsqlDataSource> _dataSources = [];

    protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override LedgerDb Open(string database)
    {
        if (!_dataSources.TryGetValue(database, out var dataSource))
        {
            dataSource = NpgsqlDataSource.Create(database);
            _dataSources[database] = dataSource;
        }

        var store = new PostgreSqlLedgerStore(dataSource);
        return new LedgerDb(store, store);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var dataSource in _dataSources.Values)
        {
            await dataSource.DisposeAsync();
        }
    }
}

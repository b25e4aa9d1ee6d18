using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer contract on PostgreSQL: one local server for the run, fresh databases per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlChainIndexStoreTests(PostgresFixture postgres) : ChainIndexStoreContract
{
    private readonly Dictionary<string, NpgsqlDataSource> _dataSources = [];

    protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();

    /// <summary>One data source per database (a data source per store instance would exhaust the server's connections).</summary>
    protected override LedgerDb Open(string database)
    {
        if (!_dataSources.TryGetValue(database, out var dataSource))
        {
            dataSource = NpgsqlDataSource.Create(database);
            _dataSources[database] = dataSource;
        }

        var store = new PostgreSqlLedgerStore(dataSource, Clock);
        return new LedgerDb(store, store);
    }

    protected override string OneZeroByteBlob => "'\\x00'::bytea";

    protected override async Task<List<string>> QueryAsync(string sql)
    {
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(sql, connection);
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    protected override async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources.Values)
        {
            await dataSource.DisposeAsync();
        }
    }
}

using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.IntegrationTests.Ledger;
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
        var store = new PostgreSqlLedgerStore(DataSource(database), Clock);
        return new LedgerDb(store, store);
    }

    private NpgsqlDataSource DataSource(string database)
    {
        if (!_dataSources.TryGetValue(database, out var dataSource))
        {
            dataSource = NpgsqlDataSource.Create(database);
            _dataSources[database] = dataSource;
        }

        return dataSource;
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, 2, true, 3)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, 2, true, 3)]
    [InlineData(PostgresErrorCodes.UniqueViolation, 2, true, 3)]
    [InlineData(PostgresErrorCodes.SerializationFailure, 1_000, false, 3)]
    [InlineData(PostgresErrorCodes.CheckViolation, 1, false, 1)]
    public async Task ApplyBatch_PlantedFailures_RetriedTwiceAtMostForContentionOnly(string sqlState, int failures, bool applied, long attempts)
    {
        var database = Database;
        var store = new PostgreSqlLedgerStore(DataSource(database), Clock, maxRetries: 2);
        await store.MigrateAsync();
        await PlantedSqlStateFailure.PlantAsync(database, "ledger_accounts", sqlState, failures);

        if (applied)
        {
            (await store.ApplyBatchAsync(First)).Checkpoint!.Block.ShouldBe(B(1));
        }
        else
        {
            (await Should.ThrowAsync<PostgresException>(() => store.ApplyBatchAsync(First))).SqlState.ShouldBe(sqlState);
        }

        (await PlantedSqlStateFailure.AttemptsAsync(database)).ShouldBe(attempts);
        (await store.GetCheckpointAsync(Stream) is not null).ShouldBe(applied);
        (await store.ListEventsAsync(Stream)).Count.ShouldBe(applied ? 1 : 0);
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

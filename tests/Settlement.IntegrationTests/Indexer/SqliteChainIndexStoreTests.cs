using Microsoft.Data.Sqlite;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer contract on SQLite files (a new file per database).</summary>
public sealed class SqliteChainIndexStoreTests : ChainIndexStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-indexer-");
    private int _databases;

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(_directory.FullName, $"ledger-{Interlocked.Increment(ref _databases)}.db"));

    protected override LedgerDb Open(string database)
    {
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = database }, Clock);
        return new LedgerDb(store, store);
    }

    protected override string OneZeroByteBlob => "x'00'";

    protected override async Task<List<string>> QueryAsync(string sql)
    {
        var rows = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = sql;
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    protected override async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

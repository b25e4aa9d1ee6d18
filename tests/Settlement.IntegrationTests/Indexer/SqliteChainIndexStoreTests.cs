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

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

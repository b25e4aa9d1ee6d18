using Microsoft.Data.Sqlite;
using Settlement.Service.Storage.Sqlite;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer on Anvil into SQLite ledgers.</summary>
public sealed class SqliteAnvilIndexerTests(AnvilNode node) : AnvilIndexerContract(node), IClassFixture<AnvilNode>
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-indexer-anvil-");
    private int _databases;

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(_directory.FullName, $"ledger-{Interlocked.Increment(ref _databases)}.db"));

    protected override LedgerDb Open(string database)
    {
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = database });
        return new LedgerDb(store, store);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}

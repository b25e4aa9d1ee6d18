using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Source;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// What the indexer's tables in every ledger store must do, and the indexer over them: run against each backend by a
/// sealed subclass that says how to make a database and open a store on it (a new instance each time: a restart).
/// </summary>
public abstract partial class ChainIndexStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string? _database;

    protected FakeTimeProvider Clock { get; } = new(T0);

    /// <summary>This test's database.</summary>
    protected string Database => _database ?? throw new InvalidOperationException("No database yet.");

    /// <summary>A new, empty database.</summary>
    protected abstract Task<string> NewDatabaseAsync();

    /// <summary>A new store instance on <paramref name="database"/>.</summary>
    protected abstract LedgerDb Open(string database);

    /// <summary>Runs <paramref name="sql"/> on the test's database; each row's columns joined by <c>|</c> (NULL as <c>NULL</c>, numbers invariant).</summary>
    protected abstract Task<List<string>> QueryAsync(string sql);

    /// <summary>Runs a statement on the test's database (to change what the store wrote); the rows it changed.</summary>
    protected abstract Task<int> ExecuteAsync(string sql);

    /// <summary>The backend's SQL literal of a one-byte blob holding 0.</summary>
    protected abstract string OneZeroByteBlob { get; }

    /// <summary>A new store instance on this test's database (as after a process restart).</summary>
    protected LedgerDb Db() => Open(Database);

    public virtual async Task InitializeAsync() => _database = await NewDatabaseAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static IndexerOptions Options(int confirmations = 0, int initialRange = 64, int minRange = 1, int maxRange = 64) => new()
    {
        ChainId = FakeChain.Id,
        ChannelContract = FakeChain.Contract.ToString(),
        Token = FakeChain.Token.ToString(),
        Confirmations = confirmations,
        InitialBlockRange = initialRange,
        MinBlockRange = minRange,
        MaxBlockRange = maxRange,
        PollInterval = TimeSpan.FromSeconds(1),
    };

    protected ChainIndexer Indexer(LedgerDb db, IChainSource chain, IndexerOptions? options = null, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null) =>
        new(chain, db.Index, options ?? Options(), Clock, onStep: onStep);

    /// <summary>Indexes <paramref name="chain"/> from scratch into a new database and reads the result.</summary>
    protected async Task<IndexState> FreshIndexAsync(IChainSource chain, IndexerOptions? options = null)
    {
        options ??= Options();
        var db = Open(await NewDatabaseAsync());
        await Indexer(db, chain, options).RunUntilCaughtUpAsync();
        return await IndexState.ReadAsync(db, options.StreamName);
    }
}

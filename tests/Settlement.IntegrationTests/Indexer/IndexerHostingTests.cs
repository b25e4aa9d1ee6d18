using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer's DI registration and its follower loop.</summary>
public sealed class IndexerHostingTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-indexer-host-");

    private string DatabasePath => Path.Combine(_directory.FullName, "ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static Dictionary<string, string?> Settings(string token) => new()
    {
        ["Settlement:Indexer:ChainId"] = "31337",
        ["Settlement:Indexer:ChannelContract"] = FakeChain.Contract.ToString(),
        ["Settlement:Indexer:Token"] = token,
        ["Settlement:Indexer:Confirmations"] = "1",
    };

    private IHost Build(string token, FakeChain chain)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(Settings(token));
        builder.Services.AddSqliteLedgerStore(DatabasePath);
        builder.Services.AddSingleton<IChainSource>(chain);
        builder.Services.AddChainIndexer();
        return builder.Build();
    }

    [Fact]
    public async Task AddChainIndexer_FromConfiguration_IndexesIntoTheRegisteredStore()
    {
        var chain = new FakeChain().Mine(new FakeTransfer(Settlement.Ethereum.Addresses.Address.Zero, FakeChain.Alice, 9)).MineEmpty(1);
        using var host = Build(FakeChain.Token.ToString(), chain);
        await host.StartAsync();

        var summary = await host.Services.GetRequiredService<ChainIndexer>().RunUntilCaughtUpAsync();

        summary.EventsBooked.ShouldBe(1);
        summary.Checkpoint!.Block!.Number.ShouldBe(1UL, "one confirmation");
        (await host.Services.GetRequiredService<IChainIndexStore>().ListEventsAsync(summary.Checkpoint.Stream)).ShouldHaveSingleItem();
        await host.StopAsync();
    }

    [Fact]
    public async Task AddChainIndexer_BadSetting_StartFailsNamingIt()
    {
        using var host = Build("tGBP", new FakeChain());

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        ex.Message.ShouldContain("Settlement:Indexer:Token");
    }

    [Fact]
    public async Task Follow_NewBlocksAfterCatchingUp_BookedUntilCancelled()
    {
        var chain = new FakeChain().Mine(new FakeTransfer(Settlement.Ethereum.Addresses.Address.Zero, FakeChain.Alice, 9));
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath });
        var options = new IndexerOptions
        {
            ChainId = FakeChain.Id,
            ChannelContract = FakeChain.Contract.ToString(),
            Token = FakeChain.Token.ToString(),
            Confirmations = 0,
            PollInterval = TimeSpan.FromMilliseconds(1),
        };
        using var stop = new CancellationTokenSource();
        var mined = false;
        var progress = new SynchronousProgress(p =>
        {
            // Runs on the follower's thread between polls: the chain grows once it has caught up, then the test stops it.
            if (p.CurrentBlock == 1 && !mined)
            {
                mined = true;
                chain.Mine(new FakeTransfer(FakeChain.Alice, FakeChain.Bob, 4)).Mine(new FakeTransfer(FakeChain.Bob, FakeChain.Carol, 1));
            }
            else if (p.CurrentBlock == 3)
            {
                stop.Cancel();
            }
        });

        var summary = await new ChainIndexer(chain, store, options).FollowAsync(progress, stop.Token);

        summary.EventsBooked.ShouldBe(3);
        summary.Checkpoint!.Block!.Number.ShouldBe(3UL);
        (await store.ListEventsAsync(options.StreamName)).Count.ShouldBe(3);
    }

    private sealed class SynchronousProgress(Action<IndexerProgress> report) : IProgress<IndexerProgress>
    {
        public void Report(IndexerProgress value) => report(value);
    }
}

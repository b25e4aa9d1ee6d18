using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer over a <see cref="FakeChain"/> (reorgs, range limits, duplicates, crashes) on each store.</summary>
public abstract partial class ChainIndexStoreContract
{
    private static readonly string FakeStream = Options().StreamName;

    private static UInt128 WalletOf(Settlement.Ethereum.Addresses.Address a) => ChainAccounts.Wallet(FakeChain.Id, LedgerAssets.Tgbp, a.ToLowerHex()).Id;

    /// <summary>Blocks 1–4: 1,000 minted to Alice, Alice → Bob 100, Bob → Carol 30 and Alice → the channel contract 5, Carol burns 10.</summary>
    private static FakeChain History() => new FakeChain()
        .Mine(new FakeTransfer(Settlement.Ethereum.Addresses.Address.Zero, FakeChain.Alice, 1_000))
        .Mine(new FakeTransfer(FakeChain.Alice, FakeChain.Bob, 100))
        .Mine(new FakeTransfer(FakeChain.Bob, FakeChain.Carol, 30), new FakeTransfer(FakeChain.Alice, FakeChain.Contract, 5))
        .Mine(new FakeTransfer(FakeChain.Carol, Settlement.Ethereum.Addresses.Address.Zero, 10));

    /// <summary>Replaces blocks 3–4 with another fork: Bob → Carol's transaction re-included in block 4, and new transfers.</summary>
    private static void ReorgHistory(FakeChain chain)
    {
        var reincluded = chain.TransactionOf(3, 0);
        chain.Reorg(2)
            .Mine(new FakeTransfer(FakeChain.Alice, FakeChain.Carol, 7))
            .Mine(new FakeTransfer(FakeChain.Bob, FakeChain.Carol, 30, reincluded), new FakeTransfer(FakeChain.Carol, FakeChain.Alice, 1))
            .Mine(new FakeTransfer(FakeChain.Alice, FakeChain.Bob, 3));
    }

    [Fact]
    public async Task Index_History_WalletsMirrorTheChain()
    {
        var chain = History();

        var summary = await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        summary.BlocksIndexed.ShouldBe(5);
        summary.EventsBooked.ShouldBe(5);
        summary.TransfersBooked.ShouldBe(4, "the transfer into the channel contract is left to the channel event");
        var db = Db();
        (await IndexState.NetAsync(db.Ledger, WalletOf(FakeChain.Alice))).ShouldBe(1_000 - 100);
        (await IndexState.NetAsync(db.Ledger, WalletOf(FakeChain.Bob))).ShouldBe(70);
        (await IndexState.NetAsync(db.Ledger, WalletOf(FakeChain.Carol))).ShouldBe(20);
        (await db.Index.GetCheckpointAsync(FakeStream))!.Block!.Number.ShouldBe(4UL);
    }

    [Fact]
    public async Task Index_Confirmations_OnlyBlocksBuriedDeepEnough()
    {
        var chain = History();
        var options = Options(confirmations: 2);

        await Indexer(Db(), chain, options).RunUntilCaughtUpAsync();

        var checkpoint = await Db().Index.GetCheckpointAsync(options.StreamName);
        checkpoint!.Block!.Number.ShouldBe(2UL);
        (await IndexState.NetAsync(Db().Ledger, WalletOf(FakeChain.Bob))).ShouldBe(100, "Bob → Carol in block 3 has one confirmation only");
        chain.MineEmpty(1);
        await Indexer(Db(), chain, options).RunUntilCaughtUpAsync();
        (await IndexState.NetAsync(Db().Ledger, WalletOf(FakeChain.Bob))).ShouldBe(70);
    }

    [Fact]
    public async Task Index_ReorgWithinTheConfirmations_NeverBookedNeverRolledBack()
    {
        var chain = History().MineEmpty(1);
        var options = Options(confirmations: 3);
        await Indexer(Db(), chain, options).RunUntilCaughtUpAsync();

        ReorgHistory(chain);
        var summary = await Indexer(Db(), chain, options).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(0);
        (await Db().Index.GetCheckpointAsync(options.StreamName))!.Reorgs.ShouldBe(0);
        (await IndexState.ReadAsync(Db(), options.StreamName)).ShouldEqual(await FreshIndexAsync(chain, options));
    }

    [Fact]
    public async Task Index_Reorg_ReversesTheReplacedBlocksAndMatchesAFreshIndex()
    {
        var chain = History();
        await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        ReorgHistory(chain);
        var summary = await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(1);
        summary.EventsReversed.ShouldBe(3, "blocks 3–4 booked three events");
        var checkpoint = await Db().Index.GetCheckpointAsync(FakeStream);
        (checkpoint!.Block!.Number, checkpoint.Epoch, checkpoint.Reorgs).ShouldBe((5UL, 1L, 1L));
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
        (await IndexState.NetAsync(Db().Ledger, WalletOf(FakeChain.Carol))).ShouldBe(7 + 30 - 1);
    }

    [Fact]
    public async Task Index_ReorgAndBackToTheFirstFork_EventsBookedAgainWithNewTransfers()
    {
        var chain = History();
        await Indexer(Db(), chain).RunUntilCaughtUpAsync();
        var original = await IndexState.ReadAsync(Db(), FakeStream);
        var tx3 = (chain.TransactionOf(3, 0), chain.TransactionOf(3, 1));
        var tx4 = chain.TransactionOf(4, 0);

        chain.Reorg(2).Mine(new FakeTransfer(FakeChain.Alice, FakeChain.Carol, 7)).Mine().Mine();
        await Indexer(Db(), chain).RunUntilCaughtUpAsync();
        chain.Reorg(3, fork: 0)
            .Mine(new FakeTransfer(FakeChain.Bob, FakeChain.Carol, 30, tx3.Item1), new FakeTransfer(FakeChain.Alice, FakeChain.Contract, 5, tx3.Item2))
            .Mine(new FakeTransfer(FakeChain.Carol, Settlement.Ethereum.Addresses.Address.Zero, 10, tx4));
        var summary = await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(1);
        var state = await IndexState.ReadAsync(Db(), FakeStream);
        state.ShouldEqual(original, "the first fork's blocks and hashes are back");
        state.ShouldEqual(await FreshIndexAsync(chain));
        (await Db().Index.GetCheckpointAsync(FakeStream))!.Epoch.ShouldBe(2);
    }

    [Fact]
    public async Task Index_ReorgPastTheFirstIndexedBlock_RollsEverythingBack()
    {
        var chain = History();
        await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        chain.Reorg(4).Mine(new FakeTransfer(Settlement.Ethereum.Addresses.Address.Zero, FakeChain.Bob, 5));
        var summary = await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        summary.EventsReversed.ShouldBe(5);
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
    }

    [Fact]
    public async Task Index_ChainChangesDuringTheRead_NothingWrittenThenConsistent()
    {
        var chain = History();
        chain.DuringGetLogs = () => ReorgHistory(chain);
        var indexer = Indexer(Db(), chain);

        var first = await indexer.PollOnceAsync();

        first.Outcome.ShouldBe(IndexerPollOutcome.ChainMoved);
        (await Db().Index.GetCheckpointAsync(FakeStream)).ShouldBeNull();
        await indexer.RunUntilCaughtUpAsync();
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
    }

    [Fact]
    public async Task Index_DuplicateDelivery_EachEventBookedOnce()
    {
        var chain = History();
        chain.DuplicateLogs = true;

        await Indexer(Db(), chain).RunUntilCaughtUpAsync();

        chain.DuplicateLogs = false;
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
        (await Db().Index.ListEventsAsync(FakeStream)).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Index_TwoInstancesOnOneStream_TheLaterWriteIsRefusedAndNothingIsBookedTwice()
    {
        var chain = History();
        var first = Indexer(Db(), chain);
        ChainIndexer? second = null;
        var raced = false;
        second = Indexer(Db(), chain, onStep: async (step, ct) =>
        {
            if (step == IndexerStep.BatchMapped && !raced)
            {
                raced = true;
                await first.RunUntilCaughtUpAsync(cancellationToken: ct);
            }
        });

        var result = await second.PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.Conflict);
        result.Detail!.ShouldContain("stored checkpoint");
        (await second.PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.CaughtUp);
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
    }

    [Fact]
    public async Task Index_NodeLimitsTheRange_HalvesConvergesAndGrowsBackWhenLifted()
    {
        var chain = History().MineEmpty(40);
        chain.MaxRange = 5;
        var indexer = Indexer(Db(), chain, Options(initialRange: 64, maxRange: 64));

        var summary = await indexer.RunUntilCaughtUpAsync();

        summary.RangeReductions.ShouldBe(5, "64, 32, 16, 8, then the bisection's 6");
        chain.Ranges.Where(r => !r.Refused).ShouldAllBe(r => r.To - r.From + 1 <= 5);
        chain.Ranges.Where(r => r.Refused).ShouldAllBe(r => r.To - r.From + 1 > 5);
        chain.Ranges.Where(r => !r.Refused).Select(r => r.From).ShouldBeInOrder(SortDirection.Ascending);
        chain.Ranges.Count(r => r.Refused).ShouldBeLessThan(chain.Ranges.Count(r => !r.Refused), "it converges instead of oscillating");
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));

        var mark = chain.Ranges.Count;
        chain.MineEmpty(100);
        await indexer.RunUntilCaughtUpAsync();
        var later = chain.Ranges.Skip(mark).ToList();
        later.ShouldAllBe(r => !r.Refused && (r.To - r.From + 1 == 5 || r.To == chain.Head), "converged on the node's limit");

        chain.MaxRange = null;
        chain.MineEmpty(500);
        await indexer.RunUntilCaughtUpAsync();
        indexer.BlockRange.ShouldBe(64, "after enough successes it probes above the old limit again, up to the maximum");
    }

    [Fact]
    public async Task Index_NodeRefusesEvenOneBlock_StopsWithTheReasonAndWritesNothing()
    {
        var chain = History();
        chain.MaxRange = 0;

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => Indexer(Db(), chain).RunUntilCaughtUpAsync());

        ex.Message.ShouldContain("MinBlockRange");
        (await Db().Index.GetCheckpointAsync(FakeStream)).ShouldBeNull();
    }

    [Fact]
    public async Task Index_NodeOnAnotherChain_RefusedBeforeAnyWrite()
    {
        var options = Options();
        options.ChainId = 1;

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => Indexer(Db(), History(), options).RunUntilCaughtUpAsync());

        ex.Message.ShouldContain("Settlement:Indexer:ChainId");
        (await Db().Index.GetCheckpointAsync(options.StreamName)).ShouldBeNull();
    }

    [Fact]
    public async Task Index_RestartedEveryBlock_ResumesFromTheCheckpointWithoutRereading()
    {
        var chain = History();
        var options = Options(initialRange: 1, maxRange: 1);

        for (var i = 0; i < 5; i++)
        {
            (await Indexer(Db(), chain, options).PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        }

        chain.Ranges.Select(r => r.From).ShouldBe([0UL, 1, 2, 3, 4]);
        (await Indexer(Db(), chain, options).PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.CaughtUp);
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain));
    }

    [Fact]
    public async Task Index_Progress_ReportsBlocksEventsAndHead()
    {
        var chain = History();
        var reports = new List<IndexerProgress>();

        await Indexer(Db(), chain, Options(initialRange: 2, maxRange: 2)).RunUntilCaughtUpAsync(new SynchronousProgress(reports.Add));

        reports.Count.ShouldBe(4, "three ranges of two blocks and the caught-up poll");
        reports[^1].ShouldBe(new IndexerProgress(4, 4, 4, 5, 5, 0, 2), "the fake clock does not move, so the rate is 0");
        reports.Select(r => r.CurrentBlock).ShouldBe([1UL, 3, 4, 4]);
    }

    public static TheoryData<IndexerStep, int> CrashPoints()
    {
        var data = new TheoryData<IndexerStep, int>();
        foreach (var step in Enum.GetValues<IndexerStep>())
        {
            data.Add(step, 1);
        }

        foreach (var step in new[] { IndexerStep.CheckpointRead, IndexerStep.HeadRead, IndexerStep.StoreLedgerWritten, IndexerStep.StoreEventsWritten, IndexerStep.StoreCheckpointWritten, IndexerStep.Committed })
        {
            data.Add(step, 2);
        }

        return data;
    }

    /// <summary>
    /// After a reorg the next run first rolls back (occurrence 1 of the shared steps), then books the new fork
    /// (occurrence 2): a crash at each, then a restart from the store, must end where a fresh index of the chain does.
    /// </summary>
    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Index_CrashAtAStepAfterAReorg_RestartMatchesAFreshIndex(IndexerStep step, int occurrence)
    {
        var chain = History();
        await Indexer(Db(), chain).RunUntilCaughtUpAsync();
        ReorgHistory(chain);
        var seen = 0;
        var crashing = Indexer(Db(), chain, onStep: (at, _) =>
            at == step && ++seen == occurrence ? throw new SimulatedCrashException(at) : ValueTask.CompletedTask);

        var crash = await Should.ThrowAsync<SimulatedCrashException>(() => crashing.RunUntilCaughtUpAsync());
        crash.Step.ShouldBe(step);

        await Indexer(Db(), chain).RunUntilCaughtUpAsync();
        (await IndexState.ReadAsync(Db(), FakeStream)).ShouldEqual(await FreshIndexAsync(chain), $"crash at {step} #{occurrence}");
        (await Db().Index.GetCheckpointAsync(FakeStream))!.Reorgs.ShouldBe(1);
    }

    private sealed class SynchronousProgress(Action<IndexerProgress> report) : IProgress<IndexerProgress>
    {
        public void Report(IndexerProgress value) => report(value);
    }
}

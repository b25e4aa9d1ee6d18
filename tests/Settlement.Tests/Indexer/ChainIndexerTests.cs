using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// <see cref="ChainIndexer"/> on a scripted chain and an in-memory store that makes the real stores' checks: which
/// range it reads, what batch it writes (expected checkpoint, blocks, events, transfers), how it follows a reorg, a
/// chain that changes while it reads, a node that limits the log range, and every refusal (exact reason, nothing
/// written). The same behaviour against SQLite, PostgreSQL and Anvil is in <c>Settlement.IntegrationTests</c>.
/// </summary>
public sealed class ChainIndexerTests
{
    private readonly ScriptedChain _chain = new();
    private readonly MemoryChainIndexStore _store = new();
    private readonly List<IndexerStep> _steps = [];

    private static IndexerOptions Options(Action<IndexerOptions>? change = null)
    {
        var options = new IndexerOptions
        {
            ChainId = ScriptedChain.Id,
            ChannelContract = ScriptedChain.Contract.ToLowerHex(),
            Token = ScriptedChain.Token.ToLowerHex(),
            Stream = "s",
            Confirmations = 0,
            InitialBlockRange = 100,
            MaxBlockRange = 1000,
            PollInterval = TimeSpan.FromMilliseconds(1),
        };
        change?.Invoke(options);
        return options;
    }

    private ChainIndexer Indexer(Action<IndexerOptions>? change = null, TimeProvider? time = null) =>
        new(_chain, _store, Options(change), time, null, (step, _) =>
        {
            _steps.Add(step);
            return ValueTask.CompletedTask;
        });

    private BlockRef Ref(ulong number) => new(number, _chain.BlockAt(number).Hash);

    private static UInt128 Wallet(Address a) => ChainAccounts.Wallet(ScriptedChain.Id, LedgerAssets.Tgbp, a.ToLowerHex()).Id;

    private static UInt128 Escrow(ChannelParameters channel) =>
        ChainAccounts.Escrow(ScriptedChain.Id, LedgerAssets.Tgbp, ScriptedChain.Contract.ToLowerHex(), channel.Id.ToString()).Id;

    private static (Address, Address, long) Pay(Address from, Address to, long amount) => (from, to, amount);

    // ------------------------------------------------------------------ the range read and the batch written

    [Fact]
    public async Task Poll_FirstRange_BooksFromTheStartBlockUpToTheConfirmedHead()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).Mine(Pay(ScriptedChain.Bob, ScriptedChain.Alice, 2)).MineEmpty(3);
        var indexer = Indexer(o => o.Confirmations = 2);

        var result = await indexer.PollOnceAsync();

        result.ShouldBe(new IndexerPollResult(IndexerPollOutcome.Indexed, new IndexerCheckpoint("s", ScriptedChain.Id, Ref(3), 0, 2, 0), 5, Blocks: 4, EventsBooked: 2, TransfersBooked: 2));
        _chain.Ranges.ShouldBe([(0UL, 3UL, false)]);
        var batch = _store.Batches.ShouldHaveSingleItem();
        batch.Expected.ShouldBeNull();
        batch.NewCheckpoint.ShouldBe(Ref(3));
        batch.Blocks.ShouldBe([Ref(1), Ref(2), Ref(3)]);
        batch.Events.Select(e => (e.BlockNumber, e.BlockHash, e.Kind)).ShouldBe([(1UL, Ref(1).Hash, ChainEventKind.TokenTransfer), (2UL, Ref(2).Hash, ChainEventKind.TokenTransfer)]);
        batch.Transfers.Select(t => (t.DebitAccountId, t.CreditAccountId, t.Amount)).ShouldBe(
            [(Wallet(ScriptedChain.Alice), Wallet(ScriptedChain.Bob), (UInt128)5), (Wallet(ScriptedChain.Bob), Wallet(ScriptedChain.Alice), (UInt128)2)]);
        batch.Accounts.Select(a => a.Id).ShouldBe(new[] { Wallet(ScriptedChain.Alice), Wallet(ScriptedChain.Bob) }.Order());
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(3);
        _steps.ShouldBe([IndexerStep.CheckpointRead, IndexerStep.HeadRead, IndexerStep.LogsRead, IndexerStep.BlocksVerified, IndexerStep.BatchMapped, IndexerStep.StoreLedgerWritten, IndexerStep.Committed]);
    }

    [Fact]
    public async Task Poll_AfterRollbacks_BooksUnderTheCheckpointsEpoch()
    {
        // The same event in the same block gets other ids in a later rollback epoch (ChainTransferIds), so an event
        // re-booked after a reorg back to its original block is not answered "Exists" by the reversed booking's ids.
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5));
        var epochZero = new MemoryChainIndexStore { Checkpoint = new IndexerCheckpoint("s", ScriptedChain.Id, Ref(0), 0, 0, 0) };
        var epochThree = new MemoryChainIndexStore { Checkpoint = new IndexerCheckpoint("s", ScriptedChain.Id, Ref(0), 3, 0, 2) };

        await new ChainIndexer(_chain, epochZero, Options()).PollOnceAsync();
        await new ChainIndexer(_chain, epochThree, Options()).PollOnceAsync();

        var zero = epochZero.Batches.ShouldHaveSingleItem();
        var three = epochThree.Batches.ShouldHaveSingleItem();
        var key = zero.Events.ShouldHaveSingleItem().Key;
        three.Events.ShouldHaveSingleItem().Key.ShouldBe(key);
        var expected = ChainTransferIds.ForEvent(ScriptedChain.Id, key.Contract, key.TransactionHash, key.LogIndex, Ref(1).Hash, 3, 0);
        three.Transfers.Select(t => t.Id).ShouldBe([expected]);
        zero.Transfers.Select(t => t.Id).ShouldBe([ChainTransferIds.ForEvent(ScriptedChain.Id, key.Contract, key.TransactionHash, key.LogIndex, Ref(1).Hash, 0, 0)]);
        three.Events[0].TransferIds.ShouldBe([expected]);
        epochThree.Checkpoint!.Epoch.ShouldBe(3);
    }

    [Fact]
    public async Task Poll_StartBlock_TheRangeBeginsThere()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).MineEmpty(4);

        var result = await Indexer(o => o.StartBlock = 2).PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        result.Blocks.ShouldBe(4);
        result.EventsBooked.ShouldBe(0);
        _chain.Ranges.ShouldBe([(2UL, 5UL, false)]);
        _store.Batches.ShouldHaveSingleItem().Blocks.ShouldBe([Ref(5)]);
    }

    [Fact]
    public async Task Poll_HeadBelowTheConfirmations_CaughtUpNothingRead()
    {
        _chain.MineEmpty(1);

        var result = await Indexer(o => o.Confirmations = 2).PollOnceAsync();

        result.ShouldBe(new IndexerPollResult(IndexerPollOutcome.CaughtUp, null, 1));
        _chain.Ranges.ShouldBeEmpty();
        _store.Batches.ShouldBeEmpty();
        _steps.ShouldBe([IndexerStep.CheckpointRead, IndexerStep.HeadRead]);
    }

    [Fact]
    public async Task Poll_HeadExactlyTheConfirmations_OnlyTheStartBlockIsConfirmed()
    {
        _chain.MineEmpty(2);

        var result = await Indexer(o => o.Confirmations = 2).PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        _chain.Ranges.ShouldBe([(0UL, 0UL, false)]);
        _store.Checkpoint!.Block.ShouldBe(Ref(0));
    }

    [Fact]
    public async Task Poll_AfterTheCheckpoint_ContinuesFromTheNextBlockOnceConfirmed()
    {
        _chain.MineEmpty(5);
        var indexer = Indexer(o => o.Confirmations = 2);
        await indexer.PollOnceAsync();

        var caughtUp = await indexer.PollOnceAsync();
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 7));
        var next = await indexer.PollOnceAsync();

        caughtUp.ShouldBe(new IndexerPollResult(IndexerPollOutcome.CaughtUp, _store.Batches[0] is { } first ? new IndexerCheckpoint("s", ScriptedChain.Id, first.NewCheckpoint, 0, 0, 0) : null, 5));
        next.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        next.Blocks.ShouldBe(1);
        _chain.Ranges.ShouldBe([(0UL, 3UL, false), (4UL, 4UL, false)]);
        _store.Batches[1].Expected.ShouldBe(Ref(3));
        _store.Batches[1].NewCheckpoint.ShouldBe(Ref(4));
    }

    [Fact]
    public async Task Poll_RangeGrowsAfterEachFullRange_UpToTheMaximum_NotAfterAShortOne()
    {
        _chain.MineEmpty(40);
        var indexer = Indexer(o => (o.InitialBlockRange, o.MaxBlockRange) = (4, 12));

        var ranges = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            await indexer.PollOnceAsync();
            ranges.Add(indexer.BlockRange);
        }

        _chain.Ranges.Select(r => (r.From, r.To)).ShouldBe([(0UL, 3UL), (4UL, 11UL), (12UL, 23UL), (24UL, 35UL), (36UL, 40UL)]);
        ranges.ShouldBe([8, 12, 12, 12, 12]);
    }

    // ------------------------------------------------------------------ a node that limits the log range

    [Fact]
    public async Task Poll_NodeRefusesTheRange_HalvedNothingWritten_ThenBisectsTowardsTheLimit()
    {
        _chain.MineEmpty(400);
        _chain.MaxRange = 10;
        var indexer = Indexer(o => o.InitialBlockRange = 16);

        var first = await indexer.PollOnceAsync();

        first.ShouldBe(new IndexerPollResult(IndexerPollOutcome.RangeReduced, null, 400, Detail: "block range is too large (max 10)"));
        _store.Batches.ShouldBeEmpty();
        _store.Checkpoint.ShouldBeNull();
        _steps.ShouldBe([IndexerStep.CheckpointRead, IndexerStep.HeadRead]);

        var sizes = new List<int> { indexer.BlockRange };
        for (var i = 0; i < 6; i++)
        {
            await indexer.PollOnceAsync();
            sizes.Add(indexer.BlockRange);
        }

        // 16 refused → 8; 8 accepted → halfway to 16 = 12; 12 refused → back to 8 (not 6: 8 was accepted);
        // 8 → 10; 10 → 11; 11 refused → 10; 10 accepted stays 10.
        sizes.ShouldBe([8, 12, 8, 10, 11, 10, 10]);
        _chain.Ranges.Select(r => (int)(r.To - r.From + 1)).ShouldBe([16, 8, 12, 8, 10, 11, 10]);
        _chain.Ranges.Where(r => !r.Refused).Select(r => r.From).ShouldBe([0UL, 8UL, 16UL, 26UL]);
    }

    [Fact]
    public async Task Poll_NodeRefusesASizeItAcceptedBefore_HalvesBelowIt()
    {
        _chain.MineEmpty(400);
        var indexer = Indexer(o => o.InitialBlockRange = 10);
        await indexer.PollOnceAsync();
        indexer.BlockRange.ShouldBe(20);
        _chain.MaxRange = 10;
        await indexer.PollOnceAsync();
        indexer.BlockRange.ShouldBe(10);
        await indexer.PollOnceAsync();
        indexer.BlockRange.ShouldBe(15);

        // The node's limit counts results, not blocks: now it refuses 15 (back to the accepted 10), then 10, which
        // it accepted before: the range halves below it instead of staying at a size the node refuses.
        _chain.MaxRange = 4;
        await indexer.PollOnceAsync();
        indexer.BlockRange.ShouldBe(10);
        await indexer.PollOnceAsync();

        indexer.BlockRange.ShouldBe(5);
        _chain.Ranges.Select(r => (int)(r.To - r.From + 1)).ShouldBe([10, 20, 10, 15, 10]);
        _store.Checkpoint!.Block!.Number.ShouldBe(19UL);
    }

    [Fact]
    public async Task Poll_After32SuccessesBelowARefusedSize_ProbesAboveItAgain()
    {
        _chain.MineEmpty(1000);
        _chain.MaxRange = 3;
        var indexer = Indexer(o => o.InitialBlockRange = 4);
        await indexer.PollOnceAsync();
        indexer.BlockRange.ShouldBe(2);
        _chain.MaxRange = null;

        var sizes = new List<int>();
        for (var i = 0; i < 33; i++)
        {
            await indexer.PollOnceAsync();
            sizes.Add(indexer.BlockRange);
        }

        // Between accepted 2..3 and refused 4 it stays at 3 for the first 31 successes; the 32nd forgets the refusal.
        sizes[0].ShouldBe(3);
        sizes.Skip(1).Take(30).ShouldAllBe(s => s == 3);
        sizes[31].ShouldBe(6);
        sizes[32].ShouldBe(12);
    }

    [Fact]
    public async Task Poll_RefusalAfterManySuccesses_CountsSuccessesAgainFromZero()
    {
        _chain.MineEmpty(1000);
        var indexer = Indexer(o => (o.InitialBlockRange, o.MaxBlockRange) = (4, 4));
        for (var i = 0; i < 31; i++)
        {
            await indexer.PollOnceAsync();
        }

        _chain.MaxRange = 3;
        await indexer.PollOnceAsync();
        _chain.MaxRange = null;
        await indexer.PollOnceAsync();

        // Had the 31 successes before the refusal counted, this success would have been the 32nd and probed at 4.
        indexer.BlockRange.ShouldBe(3);
    }

    [Fact]
    public async Task Poll_NodeRefusesEvenTheSmallestRange_ThrowsNamingTheSettingNothingWritten()
    {
        _chain.MineEmpty(20);
        _chain.MaxRange = 1;
        var indexer = Indexer(o => (o.MinBlockRange, o.InitialBlockRange) = (2, 3));

        (await indexer.PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.RangeReduced);
        indexer.BlockRange.ShouldBe(2);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => indexer.PollOnceAsync());

        ex.Message.ShouldBe("Indexer stream 's': the node refuses eth_getLogs even for 2 block(s) (block range is too large (max 1)); lower Settlement:Indexer:MinBlockRange or use another node.");
        _store.Batches.ShouldBeEmpty();
        _store.Checkpoint.ShouldBeNull();
    }

    // ------------------------------------------------------------------ reorgs

    private async Task<ChainIndexer> IndexedFiveBlocksAsync()
    {
        _chain.MineEmpty(1).Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).MineEmpty(1)
            .Mine(Pay(ScriptedChain.Bob, ScriptedChain.Alice, 2)).Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 1));
        var indexer = Indexer();
        (await indexer.PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        _store.Blocks.Select(b => b.Number).ShouldBe([2UL, 4UL, 5UL]);
        _steps.Clear();
        return indexer;
    }

    [Fact]
    public async Task Poll_CheckpointBlockReplaced_RolledBackToTheNewestStoredBlockStillOnTheChain()
    {
        var indexer = await IndexedFiveBlocksAsync();
        var checkpoint = _store.Checkpoint!;
        var kept = Ref(2);
        _chain.Reorg(2).MineEmpty(3);

        var result = await indexer.PollOnceAsync();

        result.ShouldBe(new IndexerPollResult(IndexerPollOutcome.RolledBack, new IndexerCheckpoint("s", ScriptedChain.Id, kept, 1, 1, 1), 6, EventsReversed: 2));
        _store.Rollbacks.ShouldBe([new ChainRollback("s", checkpoint.Block!, kept)]);
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(5);
        _steps.ShouldBe([IndexerStep.CheckpointRead, IndexerStep.HeadRead, IndexerStep.ReorgDetected, IndexerStep.Committed]);

        var next = await indexer.PollOnceAsync();
        next.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        _store.Batches[^1].Expected.ShouldBe(kept);
        _store.Batches[^1].NewCheckpoint.ShouldBe(Ref(6));
    }

    [Fact]
    public async Task Poll_CheckpointBlockGoneFromAShorterChain_RolledBack()
    {
        var indexer = await IndexedFiveBlocksAsync();
        _chain.Reorg(2);

        var result = await indexer.PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.RolledBack);
        _store.Checkpoint!.Block.ShouldBe(Ref(2));
        result.Head.ShouldBe(3UL);
    }

    [Fact]
    public async Task Poll_EveryStoredBlockReplaced_RollsEverythingBack_ThenStartsAgainFromTheStartBlock()
    {
        var indexer = await IndexedFiveBlocksAsync();
        _chain.Reorg(5).MineEmpty(6);

        var result = await indexer.PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.RolledBack);
        result.EventsReversed.ShouldBe(3);
        _store.Rollbacks.ShouldHaveSingleItem().Target.ShouldBeNull();
        _store.Checkpoint!.Block.ShouldBeNull();
        _store.Balances().Values.ShouldAllBe(v => v == 0);

        await indexer.PollOnceAsync();
        _store.Batches[^1].Expected.ShouldBeNull();
        _chain.Ranges[^1].From.ShouldBe(0UL);
    }

    [Fact]
    public async Task Poll_ReorgDeeperThanOnePageOfStoredBlocks_SearchesTheNextPage()
    {
        for (var i = 0; i < 100; i++)
        {
            _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 1));
        }

        var indexer = Indexer(o => o.InitialBlockRange = 200);
        await indexer.PollOnceAsync();
        _chain.Reorg(70).MineEmpty(70);

        var result = await indexer.PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.RolledBack);
        result.EventsReversed.ShouldBe(70);
        _store.BlockQueries.ShouldBe([(100UL, 64), (36UL, 64)]);
        _store.Checkpoint!.Block.ShouldBe(Ref(30));
    }

    [Fact]
    public async Task Poll_NoStoredBlockDownToGenesisOnTheChain_SearchStopsAtBlockZero()
    {
        // 64 stored blocks 0..63 of a chain that no longer exists: the search ends at block 0 instead of wrapping.
        _chain.MineEmpty(70);
        string Gone(ulong n) => "0x" + new string('e', 48) + n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        for (ulong n = 0; n < 64; n++)
        {
            _store.Blocks.Add(new BlockRef(n, Gone(n)));
        }

        _store.Checkpoint = new IndexerCheckpoint("s", ScriptedChain.Id, new BlockRef(63, Gone(63)), 0, 0, 0);

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.RolledBack);
        _store.BlockQueries.ShouldBe([(63UL, 64)]);
        _store.Rollbacks.ShouldHaveSingleItem().Target.ShouldBeNull();
    }

    [Fact]
    public async Task Poll_StoreRefusesTheRollbackAsStale_ConflictNothingChanged()
    {
        var indexer = await IndexedFiveBlocksAsync();
        var before = _store.Checkpoint;
        _chain.Reorg(2).MineEmpty(3);
        _store.RefuseNext = ChainIndexWriteResult.Refused(ChainIndexRefusal.CheckpointMismatch, "moved by another instance");

        var result = await indexer.PollOnceAsync();

        result.ShouldBe(new IndexerPollResult(IndexerPollOutcome.Conflict, before, 6, Detail: "moved by another instance"));
        _store.Checkpoint.ShouldBe(before);
        _steps.ShouldNotContain(IndexerStep.Committed);
    }

    [Fact]
    public async Task Poll_StoreRefusesTheRollbackForAnotherReason_ThrowsNamingTargetAndReason()
    {
        var indexer = await IndexedFiveBlocksAsync();
        var before = _store.Checkpoint;
        _chain.Reorg(2).MineEmpty(3);
        _store.RefuseNext = ChainIndexWriteResult.Refused(ChainIndexRefusal.TargetBlockUnknown, "no such block");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => indexer.PollOnceAsync());

        ex.Message.ShouldBe($"Indexer stream 's': the store refused the rollback to #2 {Ref(2).Hash}: TargetBlockUnknown (no such block).");
        _store.Checkpoint.ShouldBe(before);
    }

    [Fact]
    public async Task Poll_StoreRefusesARollbackOfEverything_ThrowsNamingTheStart()
    {
        var indexer = await IndexedFiveBlocksAsync();
        _chain.Reorg(5).MineEmpty(6);
        _store.RefuseNext = ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, "x");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => indexer.PollOnceAsync());

        ex.Message.ShouldBe("Indexer stream 's': the store refused the rollback to the start: LedgerRefused (x).");
    }

    // ------------------------------------------------------------------ the chain changes while it is read

    [Fact]
    public async Task Poll_ChainReorgedDuringTheLogRead_ChainMovedNothingWritten_ThenIndexed()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).MineEmpty(2);
        _chain.DuringGetLogs = () => _chain.Reorg(3).Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 9)).MineEmpty(2);
        var indexer = Indexer();

        var moved = await indexer.PollOnceAsync();

        moved.ShouldBe(new IndexerPollResult(IndexerPollOutcome.ChainMoved, null, 3, Detail: "the chain changed while blocks 0..3 were read"));
        _store.Batches.ShouldBeEmpty();
        _steps.ShouldNotContain(IndexerStep.BlocksVerified);

        (await indexer.PollOnceAsync()).Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(9);
    }

    [Fact]
    public async Task Poll_RangeNoLongerContinuesTheCheckpoint_ChainMovedNothingWritten()
    {
        _chain.MineEmpty(3);
        var indexer = Indexer();
        await indexer.PollOnceAsync();
        var before = _store.Checkpoint;
        _chain.MineEmpty(2);

        // Block 3 is replaced after the checkpoint check and before the range 4..5 is verified; the range holds no log,
        // so only its link to the checkpoint tells.
        _chain.DuringGetLogs = () => _chain.Reorg(3).MineEmpty(3);
        var moved = await indexer.PollOnceAsync();

        moved.Outcome.ShouldBe(IndexerPollOutcome.ChainMoved);
        moved.Detail.ShouldBe("the chain changed while blocks 4..5 were read");
        _store.Checkpoint.ShouldBe(before);
        _store.Batches.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Poll_LogMarkedRemoved_ChainMovedNothingWritten()
    {
        _chain.MineLogs(ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 5) with { Removed = true }).MineEmpty(1);

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.ChainMoved);
        _store.Batches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Poll_LogNamesABlockHashNotOnTheChain_ChainMovedNothingWritten()
    {
        _chain.MineLogs(ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 5) with { BlockHash = new byte[32] }).MineEmpty(1);

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.ChainMoved);
        _store.Batches.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public async Task Poll_NodeHasNoHeaderForABlockOfTheRange_ChainMovedNothingWritten(ulong missing)
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).MineEmpty(1);
        _chain.Unknown.Add(missing);

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.ChainMoved);
        _store.Batches.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ what is decoded

    [Fact]
    public async Task Poll_NodeRepeatsEveryLog_EachEventBookedOnce()
    {
        _chain.DuplicateLogs = true;
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5), Pay(ScriptedChain.Bob, ScriptedChain.Alice, 1));

        var result = await Indexer().PollOnceAsync();

        result.EventsBooked.ShouldBe(2);
        _store.Events.Select(e => e.Key.LogIndex).ShouldBe([0UL, 1UL]);
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(4);
    }

    [Fact]
    public async Task Poll_LogsInAnyOrder_BookedInChainOrder()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 1), Pay(ScriptedChain.Alice, ScriptedChain.Bob, 2)).Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 3));

        await Indexer().PollOnceAsync();

        _store.Events.Select(e => (e.BlockNumber, e.Key.LogIndex)).ShouldBe([(1UL, 0UL), (1UL, 1UL), (2UL, 0UL)]);
        _store.Journal.Select(t => t.Amount).ShouldBe([(UInt128)1, 2, 3]);
    }

    [Fact]
    public async Task Poll_LogWithoutBlockTransactionOrIndex_Skipped()
    {
        var log = ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 50);
        _chain.MineAsIs(
            ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 5),
            log with { BlockHash = new byte[32], TransactionHash = new byte[32], LogIndex = null },
            log with { BlockHash = new byte[32], TransactionHash = null, LogIndex = 7 },
            log with { BlockHash = null, TransactionHash = new byte[32], LogIndex = 8 });

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        result.EventsBooked.ShouldBe(1);
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(5);
    }

    [Fact]
    public async Task Poll_LogsOfOtherContractsOrOfTheWrongShape_NotBooked()
    {
        _chain.IgnoreAddressFilter = true;
        var channel = ScriptedChain.Channel(ScriptedChain.Alice, ScriptedChain.Bob, 1);
        _chain.MineLogs(
            ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 5, token: ScriptedChain.Other),
            ScriptedChain.TransferLog(ScriptedChain.Alice, ScriptedChain.Bob, 6, token: ScriptedChain.Contract),
            ScriptedChain.ChannelOpenedLog(channel, 100) with { Address = ScriptedChain.Token },
            ScriptedChain.ChannelOpenedLog(channel, 100) with { Address = ScriptedChain.Other });

        var result = await Indexer().PollOnceAsync();

        result.Outcome.ShouldBe(IndexerPollOutcome.Indexed);
        result.EventsBooked.ShouldBe(0);
        _store.Journal.ShouldBeEmpty();
        _store.Channels.ShouldBeEmpty();
    }

    [Fact]
    public async Task Poll_ChannelOpenedThenRedeemedInBatches_EachBatchItemItsOwnKeyAndTheIncreaseOverTheStoredTotal()
    {
        var a = ScriptedChain.Channel(ScriptedChain.Alice, ScriptedChain.Bob, 1);
        var b = ScriptedChain.Channel(ScriptedChain.Other, ScriptedChain.Bob, 2);
        _chain.MineLogs(ScriptedChain.ChannelOpenedLog(a, 100), ScriptedChain.ChannelOpenedLog(b, 100));
        var indexer = Indexer();
        await indexer.PollOnceAsync();
        _store.ChannelQueries.ShouldBeEmpty();
        _store.Channels.Keys.Order().ShouldBe(new[] { a.Id.ToString(), b.Id.ToString() }.Order());
        _store.Events.Select(e => e.Kind).ShouldBe([ChainEventKind.ChannelOpened, ChainEventKind.ChannelOpened]);

        _chain.MineLogs(ScriptedChain.BatchRedeemedLog((a, 30), (b, 10)));
        await indexer.PollOnceAsync();
        _chain.MineLogs(ScriptedChain.BatchRedeemedLog((a, 50)));
        await indexer.PollOnceAsync();

        var redeemed = _store.Events.Skip(2).ToList();
        redeemed.Select(e => (e.Kind, e.Key.LogIndex, e.PayeeCumulative)).ShouldBe(
        [
            (ChainEventKind.BatchVoucherRedeemed, ChainEventKey.Position(0, 0), (UInt128?)30),
            (ChainEventKind.BatchVoucherRedeemed, ChainEventKey.Position(0, 1), (UInt128?)10),
            (ChainEventKind.BatchVoucherRedeemed, ChainEventKey.Position(0, 0), (UInt128?)50),
        ]);
        _store.ChannelQueries.ShouldBe([[a.Id.ToString(), b.Id.ToString()], [a.Id.ToString()]]);
        _store.Journal.Skip(2).Select(t => (t.DebitAccountId, t.Amount)).ShouldBe([(Escrow(a), (UInt128)30), (Escrow(b), (UInt128)10), (Escrow(a), (UInt128)20)]);
        _store.Balances()[Escrow(a)].ShouldBe(50);
    }

    [Fact]
    public async Task Poll_VoucherRedeemed_ItsChannelReadOnceFromTheStore()
    {
        var a = ScriptedChain.Channel(ScriptedChain.Alice, ScriptedChain.Bob, 1);
        _chain.MineLogs(ScriptedChain.ChannelOpenedLog(a, 100));
        var indexer = Indexer();
        await indexer.PollOnceAsync();
        _chain.MineLogs(ScriptedChain.VoucherRedeemedLog(a, 40, 40), ScriptedChain.VoucherRedeemedLog(a, 5, 45));

        await indexer.PollOnceAsync();

        _store.ChannelQueries.ShouldBe([[a.Id.ToString()]]);
        _store.Events.Skip(1).Select(e => (e.Kind, e.PayeeCumulative)).ShouldBe([(ChainEventKind.VoucherRedeemed, (UInt128?)40), (ChainEventKind.VoucherRedeemed, (UInt128?)45)]);
        _store.Channels[a.Id.ToString()].PayeeRedeemed.ShouldBe((UInt128)45);
        _store.Balances()[Wallet(ScriptedChain.Bob)].ShouldBe(45);
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public async Task Poll_StoreRefusesTheBatchAsStale_ConflictWithItsDetailNothingWritten()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5));
        _store.RefuseNext = ChainIndexWriteResult.Refused(ChainIndexRefusal.CheckpointMismatch, "stored checkpoint #9");

        var result = await Indexer().PollOnceAsync();

        result.ShouldBe(new IndexerPollResult(IndexerPollOutcome.Conflict, null, 1, Detail: "stored checkpoint #9"));
        _store.Journal.ShouldBeEmpty();
        _steps.ShouldNotContain(IndexerStep.Committed);
    }

    [Fact]
    public async Task Poll_StoreRefusesTheBatchForAnotherReason_ThrowsNamingTheBlocksAndReason()
    {
        _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 5)).MineEmpty(1);
        _store.RefuseNext = ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, "42: ExceedsCredits");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => Indexer().PollOnceAsync());

        ex.Message.ShouldBe("Indexer stream 's': the store refused blocks 0..2: LedgerRefused (42: ExceedsCredits).");
        _store.Journal.ShouldBeEmpty();
        _store.Checkpoint.ShouldBeNull();
    }

    [Fact]
    public async Task Poll_NodeOnAnotherChain_RefusedBeforeAnyRead_CheckedOncePerIndexer()
    {
        _chain.MineEmpty(3);
        _chain.ChainId = 1;
        var indexer = Indexer();

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => indexer.PollOnceAsync());

        ex.Message.ShouldBe("Indexer stream 's': the node serves chain 1, not Settlement:Indexer:ChainId 31337.");
        _steps.ShouldBeEmpty();
        _store.Batches.ShouldBeEmpty();

        _chain.ChainId = ScriptedChain.Id;
        await indexer.PollOnceAsync();
        await indexer.PollOnceAsync();
        _chain.ChainIdCalls.ShouldBe(2);
    }

    [Fact]
    public void Constructor_Defaults_StreamAndRangeFromTheOptions()
    {
        var indexer = new ChainIndexer(_chain, _store, Options(o => (o.Stream, o.InitialBlockRange) = (null, 7)));

        indexer.Stream.ShouldBe($"31337:{ScriptedChain.Contract.ToLowerHex()}:{ScriptedChain.Token.ToLowerHex()}");
        indexer.BlockRange.ShouldBe(7);
    }

    [Fact]
    public void Constructor_MissingPartsOrBadOptions_RefusedWithTheReason()
    {
        Should.Throw<ArgumentNullException>(() => new ChainIndexer(null!, _store, Options())).ParamName.ShouldBe("source");
        Should.Throw<ArgumentNullException>(() => new ChainIndexer(_chain, null!, Options())).ParamName.ShouldBe("store");
        Should.Throw<ArgumentNullException>(() => new ChainIndexer(_chain, _store, null!)).ParamName.ShouldBe("options");

        var bad = Should.Throw<ArgumentException>(() => new ChainIndexer(_chain, _store, Options(o => (o.MinBlockRange, o.InitialBlockRange) = (50, 49))));

        bad.ParamName.ShouldBe("options");
        bad.Message.ShouldStartWith(
            "Invalid indexer options: Settlement:Indexer block ranges must satisfy MinBlockRange (50) ≤ InitialBlockRange (49) ≤ MaxBlockRange (1000).");
        new ChainIndexer(_chain, _store, Options(o => (o.MinBlockRange, o.InitialBlockRange) = (50, 50))).BlockRange.ShouldBe(50); // equal is allowed
    }

    [Fact]
    public void Constructor_SeveralAnnotationsBroken_AllNamedInOneMessage()
    {
        var bad = Should.Throw<ArgumentException>(() => new ChainIndexer(_chain, _store, Options(o => (o.Confirmations, o.InitialBlockRange) = (-1, 0))));

        bad.ParamName.ShouldBe("options");
        bad.Message.ShouldBe(
            "Invalid indexer options: The field Confirmations must be between 0 and 10000.; The field InitialBlockRange must be between 1 and 1000000. (Parameter 'options')");
        _chain.HeadCalls.ShouldBe(0);
    }

    // ------------------------------------------------------------------ runs

    [Fact]
    public async Task RunUntilCaughtUp_SumsThePollsAndReportsProgressAfterEach()
    {
        for (var i = 0; i < 20; i++)
        {
            _chain.Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 1));
        }

        var reports = new List<IndexerProgress>();
        var clock = new SteppingClock();

        var summary = await Indexer(o => (o.Confirmations, o.InitialBlockRange) = (2, 4), clock).RunUntilCaughtUpAsync(new Collect(reports.Add));

        summary.ShouldBe(new IndexerRunSummary(19, 18, 18, 0, 0, 0, _store.Checkpoint, 20));
        _store.Checkpoint!.Block.ShouldBe(Ref(18));
        reports.ShouldBe(
        [
            new IndexerProgress(3, 20, 18, 4, 3, 3.0, 8),
            new IndexerProgress(11, 20, 18, 12, 11, 5.5, 16),
            new IndexerProgress(18, 20, 18, 19, 18, 6.0, 16),
            new IndexerProgress(18, 20, 18, 19, 18, 4.5, 16),
        ]);
    }

    [Fact]
    public async Task RunUntilCaughtUp_HeadBelowTheConfirmations_ProgressHasNoSafeHead()
    {
        _chain.MineEmpty(1);
        var reports = new List<IndexerProgress>();

        var summary = await Indexer(o => o.Confirmations = 5, new SteppingClock()).RunUntilCaughtUpAsync(new Collect(reports.Add));

        summary.ShouldBe(new IndexerRunSummary(0, 0, 0, 0, 0, 0, null, 1));
        reports.ShouldBe([new IndexerProgress(null, 1, null, 0, 0, 0, 100)]);
    }

    [Fact]
    public async Task RunUntilCaughtUp_AfterAReorgAndRangeRefusals_CountsThem()
    {
        var indexer = await IndexedFiveBlocksAsync();
        _chain.Reorg(2).Mine(Pay(ScriptedChain.Alice, ScriptedChain.Bob, 1)).MineEmpty(40);
        _chain.MaxRange = 20;

        var summary = await indexer.RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(1);
        summary.EventsReversed.ShouldBe(2);
        summary.RangeReductions.ShouldBe(2);
        summary.EventsBooked.ShouldBe(1);
        summary.TransfersBooked.ShouldBe(1);
        summary.BlocksIndexed.ShouldBe(42);
        summary.Checkpoint!.Block.ShouldBe(Ref(44));
    }

    [Fact]
    public async Task RunUntilCaughtUp_TransientNodeFault_Thrown()
    {
        _chain.MineEmpty(3);
        _chain.FailNextHead = await TransientFaultAsync();

        await Should.ThrowAsync<Settlement.Ethereum.Rpc.JsonRpcException>(() => Indexer().RunUntilCaughtUpAsync());

        _store.Batches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Follow_TransientNodeFault_RetriedAfterTheInterval_StopsWhenCancelled()
    {
        _chain.MineEmpty(3);
        _chain.FailNextHead = await TransientFaultAsync();
        using var cts = new CancellationTokenSource();
        var reports = new List<IndexerProgress>();
        var indexer = Indexer();

        var summary = await indexer.FollowAsync(new Collect(p =>
        {
            reports.Add(p);
            if (reports.Count == 1)
            {
                _chain.MineEmpty(2);
            }
            else
            {
                cts.Cancel();
            }
        }), cts.Token);

        summary.BlocksIndexed.ShouldBe(6);
        summary.Checkpoint!.Block.ShouldBe(Ref(5));
        reports.Select(r => r.CurrentBlock).ShouldBe([3UL, 5UL]);
    }

    [Fact]
    public async Task RunUntilCaughtUp_Cancelled_Thrown()
    {
        _chain.MineEmpty(3);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => Indexer().RunUntilCaughtUpAsync(null, cts.Token));
    }

    [Fact]
    public async Task Follow_PermanentNodeFault_Thrown()
    {
        _chain.MineEmpty(3);
        _chain.FailNextHead = await NodeFaultAsync(System.Net.HttpStatusCode.BadRequest, transient: false);
        using var cts = new CancellationTokenSource();

        await Should.ThrowAsync<Settlement.Ethereum.Rpc.JsonRpcException>(() => Indexer().FollowAsync(null, cts.Token));

        _store.Batches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Follow_CaughtUp_WaitsAndPollsAgainUntilCancelled()
    {
        _chain.MineEmpty(2);
        using var cts = new CancellationTokenSource();
        var polls = 0;

        var summary = await Indexer().FollowAsync(new Collect(_ =>
        {
            if (++polls == 3)
            {
                cts.Cancel();
            }
        }), cts.Token);

        polls.ShouldBe(3);
        summary.BlocksIndexed.ShouldBe(3);
        summary.Head.ShouldBe(2UL);
        _chain.HeadCalls.ShouldBe(3); // cancelled while waiting: no further request to the node
    }

    [Fact]
    public async Task Follow_NodeOnAnotherChain_Thrown()
    {
        _chain.ChainId = 5;
        using var cts = new CancellationTokenSource();

        await Should.ThrowAsync<InvalidOperationException>(() => Indexer().FollowAsync(null, cts.Token));
    }

    /// <summary>A real transient fault of the RPC client: a node that answers HTTP 503.</summary>
    private static Task<Exception> TransientFaultAsync() => NodeFaultAsync(System.Net.HttpStatusCode.ServiceUnavailable, transient: true);

    /// <summary>The RPC client's exception for a node that answers every request with <paramref name="status"/>.</summary>
    private static async Task<Exception> NodeFaultAsync(System.Net.HttpStatusCode status, bool transient)
    {
        using var http = new HttpClient(new Answering(status));
        var rpc = new Settlement.Ethereum.Rpc.EthereumRpcClient(http, new Settlement.Ethereum.Rpc.EthereumRpcOptions { Url = new Uri("http://node.test"), ChainId = ScriptedChain.Id, MaxRetries = 0 });
        var ex = await Should.ThrowAsync<Settlement.Ethereum.Rpc.JsonRpcException>(() => rpc.GetBlockNumberAsync());
        ex.IsTransient.ShouldBe(transient);
        return ex;
    }

    private sealed class Answering(System.Net.HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status));
    }

    private sealed class Collect(Action<IndexerProgress> report) : IProgress<IndexerProgress>
    {
        public void Report(IndexerProgress value) => report(value);
    }

    /// <summary>A clock whose timestamp advances one second per reading (the run's rate becomes exact).</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _seconds;

        public override long TimestampFrequency => 1;

        public override long GetTimestamp() => _seconds++;
    }
}

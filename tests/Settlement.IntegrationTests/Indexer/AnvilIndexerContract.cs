using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// The indexer against a real Anvil node: real channel events, real reorgs (<c>anvil_reorg</c>, snapshot and revert),
/// crashes at each step and restarts. After each, the ledger mirrors the chain (every wallet = its token balance,
/// Σ escrow + deferred = the contract's balance, issuance = −supply) and equals a fresh re-index of the canonical chain.
/// </summary>
public abstract class AnvilIndexerContract(AnvilNode node) : IAsyncLifetime
{
    private string? _database;
    private AnvilChain? _chain;

    protected AnvilChain Chain => _chain ?? throw new InvalidOperationException("Not initialised.");

    protected abstract Task<string> NewDatabaseAsync();

    protected abstract LedgerDb Open(string database);

    protected LedgerDb Db() => Open(_database!);

    public async Task InitializeAsync()
    {
        _database = await NewDatabaseAsync();
        _chain = await AnvilChain.CreateAsync(node);
    }

    public virtual Task DisposeAsync()
    {
        _chain?.Dispose();
        return Task.CompletedTask;
    }

    private ChainIndexer Indexer(LedgerDb db, IndexerOptions? options = null, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null) =>
        new(new RpcChainSource(Chain.Rpc), db.Index, options ?? Chain.Options(), TimeProvider.System, onStep: onStep);

    private async Task<IndexState> FreshIndexAsync(IndexerOptions options)
    {
        var db = Open(await NewDatabaseAsync());
        await Indexer(db, options).RunUntilCaughtUpAsync();
        return await IndexState.ReadAsync(db, options.StreamName);
    }

    /// <summary>The ledger mirrors the chain at the checkpoint and equals a fresh re-index.</summary>
    private async Task ShouldMirrorTheChainAsync(IndexerOptions options, string? why = null)
    {
        var db = Db();
        var checkpoint = (await db.Index.GetCheckpointAsync(options.StreamName))!.Block!;
        var head = await Chain.Rpc.GetBlockNumberAsync();
        checkpoint.Number.ShouldBe(head - (ulong)options.Confirmations, why);
        var chainId = options.ChainId;
        foreach (var holder in Chain.Holders)
        {
            (await IndexState.NetAsync(db.Ledger, ChainAccounts.Wallet(chainId, LedgerAssets.Tgbp, holder.ToLowerHex()).Id))
                .ShouldBe(await Chain.Token.BalanceOfAsync(holder, checkpoint.Number), $"{why}: wallet {holder}");
        }

        var accounts = await db.Ledger.ListAccountsAsync();
        var held = accounts.Where(a => a.Account.Code is (ushort)AccountCode.ChannelEscrow or (ushort)AccountCode.DeferredPayout)
            .Aggregate(BigInteger.Zero, (s, a) => s + a.CreditsPosted - (BigInteger)a.DebitsPosted);
        held.ShouldBe(await Chain.Token.BalanceOfAsync(Chain.Channels.Address, checkpoint.Number), $"{why}: escrow = the contract's balance");
        (await IndexState.NetAsync(db.Ledger, ChainAccounts.Issuance(chainId, LedgerAssets.Tgbp, Chain.Token.Address.ToLowerHex()).Id))
            .ShouldBe(-await Chain.Token.TotalSupplyAsync(checkpoint.Number), $"{why}: issuance = −supply");
        (await IndexState.ReadAsync(db, options.StreamName)).ShouldEqual(await FreshIndexAsync(options), why);
    }

    [Fact]
    public async Task Index_EveryChannelFlow_LedgerMirrorsTheChain()
    {
        var channel = await Chain.OpenAsync(10_000);
        await Chain.Channels.TopUpAsync(Chain.Payer, channel, 2_000);
        await Chain.RedeemAsync(channel, 3_000);
        await Chain.RedeemBatchAsync(channel, 4_500);
        await Chain.Token.TransferAsync(Chain.Payer, Chain.OtherKey.Address, 123);
        await Chain.Token.MintAsync(Chain.Platform, Chain.PlatformKey.Address, 50);
        await Chain.Token.BurnAsync(Chain.Platform, 20);
        await Chain.CloseAndSettleAsync(channel);
        var second = await Chain.OpenAsync(700);
        await Chain.RedeemBatchAsync(second, 100);

        var summary = await Indexer(Db()).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(0);
        var events = await Db().Index.ListEventsAsync(Chain.Options().StreamName);
        events.Select(e => e.Kind).Distinct().Order().ShouldBe(
        [
            ChainEventKind.ChannelOpened, ChainEventKind.ChannelToppedUp, ChainEventKind.VoucherRedeemed, ChainEventKind.BatchVoucherRedeemed,
            ChainEventKind.ChannelClosing, ChainEventKind.ChannelSettled, ChainEventKind.TokenTransfer,
        ]);
        events.Where(e => e.Kind == ChainEventKind.TokenTransfer && e.Ignored == EventIgnoredReason.CoveredByChannelEvent).Count().ShouldBe(7);
        var escrow = ChainAccounts.Escrow(Chain.Node.ChainId, LedgerAssets.Tgbp, Chain.Channels.Address.ToLowerHex(), channel.Id.ToString()).Id;
        (await IndexState.NetAsync(Db().Ledger, escrow)).ShouldBe(0, "settled");
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(4_500 + 100);
        await ShouldMirrorTheChainAsync(Chain.Options());
    }

    [Fact]
    public async Task Index_BatchOfSeveralItemsWithASkippedOne_EachRedeemedItemBookedOnce()
    {
        // Contract v2: one BatchRedeemed log carries every redeemed item; each is booked as its own event.
        var a = await Chain.OpenAsync(10_000);
        var b = await Chain.OpenAsync(10_000);
        var c = await Chain.OpenAsync(10_000);
        await Chain.RedeemAsync(b, 2_000); // redeemed first by anyone: the batch skips b's item
        var receipt = await Chain.RedeemBatchAsync([(a, 1_000), (b, 2_000), (c, 3_000), (a, 1_500)]);
        Chain.Channels.DecodeEvents(receipt.Logs).OfType<Settlement.Channels.Contracts.Events.BatchVoucherRedeemedEvent>().Count().ShouldBe(3);
        await Indexer(Db()).RunUntilCaughtUpAsync();

        var events = await Db().Index.ListEventsAsync(Chain.Options().StreamName);
        var items = events.Where(e => e.Kind == ChainEventKind.BatchVoucherRedeemed).ToList();
        items.Select(e => e.PayeeCumulative).ShouldBe([(UInt128)1_000, (UInt128)3_000, (UInt128)1_500]);
        items.Select(e => e.Key).Distinct().Count().ShouldBe(3);
        items.Select(e => e.Key.LogIndex & ChainEventKey.LogIndexMask).Distinct().ShouldHaveSingleItem();
        events.Single(e => e.Kind == ChainEventKind.BatchItemSkipped).ChannelId.ShouldBe(b.Id.ToString());
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(1_500 + 2_000 + 3_000);

        // A later redeem of a continues from the batch's last item for a (1,500), in a later indexing pass.
        await Chain.RedeemAsync(a, 4_000);
        await Indexer(Db()).RunUntilCaughtUpAsync();
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(4_000 + 2_000 + 3_000);
        await ShouldMirrorTheChainAsync(Chain.Options());
    }

    [Fact]
    public async Task Index_AnvilReorgDropsTheRedeem_ReversedAndTheNewForkBooked()
    {
        var channel = await Chain.OpenAsync(10_000);
        await Chain.RedeemAsync(channel, 3_000);
        await Indexer(Db()).RunUntilCaughtUpAsync();
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(3_000);

        await Chain.ReorgAsync(1);
        await Chain.RedeemAsync(channel, 1_000);
        var summary = await Indexer(Db()).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(1);
        summary.EventsReversed.ShouldBe(2, "the redeem's VoucherRedeemed and its token Transfer");
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(1_000);
        await ShouldMirrorTheChainAsync(Chain.Options());
    }

    [Fact]
    public async Task Index_SnapshotRevertToADifferentHistory_RolledBackToTheForkPoint()
    {
        var channel = await Chain.OpenAsync(10_000);
        await Indexer(Db()).RunUntilCaughtUpAsync();
        var fork = await Chain.Node.SnapshotAsync();
        await Chain.RedeemAsync(channel, 3_000);
        await Chain.RedeemBatchAsync(channel, 4_000);
        await Chain.Token.TransferAsync(Chain.Payer, Chain.OtherKey.Address, 77);
        await Indexer(Db()).RunUntilCaughtUpAsync();

        (await Chain.Node.RevertAsync(fork)).ShouldBeTrue();
        Chain.Resync();
        await Chain.RedeemBatchAsync(channel, 500);
        await Chain.Node.MineAsync(3);
        var summary = await Indexer(Db()).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(1);
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(500);
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.OtherKey.Address))).ShouldBe(0);
        await ShouldMirrorTheChainAsync(Chain.Options());
    }

    [Fact]
    public async Task Index_Confirmations_ReorgBelowThemNeverBooked()
    {
        var options = Chain.Options(confirmations: 3);
        var channel = await Chain.OpenAsync(10_000);
        await Chain.Node.MineAsync(3);
        await Chain.RedeemAsync(channel, 3_000);
        await Indexer(Db(), options).RunUntilCaughtUpAsync();
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(0, "the redeem has no confirmations yet");

        await Chain.ReorgAsync(1);
        await Chain.RedeemAsync(channel, 1_000);
        await Chain.Node.MineAsync(3);
        var summary = await Indexer(Db(), options).RunUntilCaughtUpAsync();

        summary.ReorgsHandled.ShouldBe(0);
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(1_000);
        await ShouldMirrorTheChainAsync(options);
    }

    public static TheoryData<IndexerStep, int> CrashPoints()
    {
        var data = new TheoryData<IndexerStep, int>();
        foreach (var step in Enum.GetValues<IndexerStep>())
        {
            data.Add(step, 1);
        }

        foreach (var step in new[] { IndexerStep.StoreLedgerWritten, IndexerStep.StoreEventsWritten, IndexerStep.StoreCheckpointWritten, IndexerStep.Committed })
        {
            data.Add(step, 2);
        }

        return data;
    }

    /// <summary>A real reorg, then a crash at one step of the run that handles it (rollback first, then the new fork), then a restart.</summary>
    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Index_CrashAfterARealReorg_RestartMirrorsTheChain(IndexerStep step, int occurrence)
    {
        var channel = await Chain.OpenAsync(10_000);
        await Chain.RedeemAsync(channel, 3_000);
        await Indexer(Db()).RunUntilCaughtUpAsync();
        await Chain.ReorgAsync(1);
        await Chain.RedeemBatchAsync(channel, 1_500);
        var seen = 0;
        var crashing = Indexer(Db(), onStep: (at, _) => at == step && ++seen == occurrence ? throw new SimulatedCrashException(at) : ValueTask.CompletedTask);

        (await Should.ThrowAsync<SimulatedCrashException>(() => crashing.RunUntilCaughtUpAsync())).Step.ShouldBe(step);

        await Indexer(Db()).RunUntilCaughtUpAsync();
        (await IndexState.NetAsync(Db().Ledger, WalletOf(Chain.PayeeKey.Address))).ShouldBe(1_500);
        (await Db().Index.GetCheckpointAsync(Chain.Options().StreamName))!.Reorgs.ShouldBe(1);
        await ShouldMirrorTheChainAsync(Chain.Options(), $"crash at {step} #{occurrence}");
    }

    private UInt128 WalletOf(Address address) => ChainAccounts.Wallet(Chain.Node.ChainId, LedgerAssets.Tgbp, address.ToLowerHex()).Id;
}

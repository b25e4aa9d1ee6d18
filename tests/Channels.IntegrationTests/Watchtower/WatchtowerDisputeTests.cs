using System.Globalization;
using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Watchtower;

/// <summary>
/// The watchtower against a real node (once per node kind): catch-up after downtime, a window already over, and a crash
/// between signing and mining. Balances and redeemed amounts are read from the chain.
/// </summary>
public abstract class WatchtowerDisputeTests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    private const int StoppedBlocks = 200;

    protected TNode Node { get; } = node;

    [Fact]
    public async Task Catchup_StaleCloseWhileStopped_RedeemsNewestVoucherAndPayeeGetsExactly900()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 500));

        using (var tower = TowerHarness.Start(w, db.Path))
        {
            (await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900))).ShouldBeOfType<DelegationAccepted>();
            (await tower.Follower.PollOnceAsync()).Checkpoint.ShouldNotBeNull();
        }

        // The watchtower is stopped; the payer closes with the stale state (500 redeemed) and blocks and time pass,
        // still inside the one-hour window.
        await w.Channels.StartCloseAsync(w.Payer, c);
        var closeBlock = await Node.BlockNumberAsync();
        await MineAsync(StoppedBlocks);
        await Node.IncreaseTimeAsync(600);
        await Node.MineAsync();
        var deadline = (await w.Channels.GetStateAsync(c.Id)).CloseDeadline;

        using (var tower = TowerHarness.Start(w, db.Path, TowerHarness.Options(settle: true)))
        {
            var caughtUp = await tower.Follower.PollOnceAsync();

            caughtUp.BlocksScanned.ShouldBeGreaterThanOrEqualTo((ulong)StoppedBlocks);
            caughtUp.Checkpoint!.Number.ShouldBeGreaterThan(closeBlock);
            caughtUp.Sent.ShouldBe(1);
            (await tower.MinedAsync(w, c.Id)).Succeeded.ShouldBeTrue();
            var state = await w.Channels.GetStateAsync(c.Id);
            state.RedeemedByPayee.ShouldBe(new BigInteger(900));
            (await w.LatestTimestampAsync()).ShouldBeLessThanOrEqualTo(deadline);
            (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(0); // decided from chain state: not sent again

            await w.PassChallengePeriodAsync();
            (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(1); // the settle
            (await tower.MinedAsync(w, c.Id, DisputeKind.Settle)).Succeeded.ShouldBeTrue();
            (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
            (await tower.Store.GetDelegationAsync(c.Id))!.Finished.ShouldBeFalse();
            await tower.Follower.PollOnceAsync();
            (await tower.Store.GetDelegationAsync(c.Id))!.Finished.ShouldBeTrue();
            (await tower.Store.ListAlertsAsync()).ShouldBeEmpty();
        }

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(900));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(100));
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Catchup_WindowAlreadyOver_RecordsMissedDisputeAndSendsNothing()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        using (var tower = TowerHarness.Start(w, db.Path))
        {
            (await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900))).ShouldBeOfType<DelegationAccepted>();
            await tower.Follower.PollOnceAsync();
        }

        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.PassChallengePeriodAsync();
        await MineAsync(5);

        using (var tower = TowerHarness.Start(w, db.Path))
        {
            var nonceBefore = await w.Rpc.GetTransactionCountAsync(tower.Key.Address, BlockParameter.Pending);
            var poll = await tower.Follower.PollOnceAsync();
            await tower.Follower.PollOnceAsync(); // once only

            poll.Sent.ShouldBe(0);
            (await w.Rpc.GetTransactionCountAsync(tower.Key.Address, BlockParameter.Pending)).ShouldBe(nonceBefore);
            var alert = (await tower.Store.ListAlertsAsync()).ShouldHaveSingleItem();
            alert.Kind.ShouldBe(WatchtowerAlertKind.MissedDispute);
            alert.ChannelId.ShouldBe(c.Id);
            alert.Amount.ShouldBe(new BigInteger(900));
            (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        }
    }

    [Fact]
    public async Task Crash_AfterSendingBeforeMining_RestartDoesNotSendASecondRedeem()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        var options = TowerHarness.Options(confirmations: 0);
        ulong nonceBefore;
        using (var tower = TowerHarness.Start(w, db.Path, options))
        {
            await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900));
            await tower.Follower.PollOnceAsync();
            await w.Channels.StartCloseAsync(w.Payer, c);
            nonceBefore = await w.Rpc.GetTransactionCountAsync(tower.Key.Address, BlockParameter.Latest);
            await Node.SetAutomineAsync(false);
            (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(1); // sent, not mined: then the process dies
        }

        try
        {
            using var restarted = TowerHarness.Start(w, db.Path, options);
            (await restarted.Follower.PollOnceAsync()).ShouldSatisfyAllConditions(p => p.Sent.ShouldBe(0), p => p.Resent.ShouldBe(0));
            await Node.MineAsync();
            await Node.SetAutomineAsync(true);
            (await restarted.MinedAsync(w, c.Id)).Succeeded.ShouldBeTrue();
            (await restarted.Follower.PollOnceAsync()).Sent.ShouldBe(0);
        }
        finally
        {
            await Node.SetAutomineAsync(true);
        }

        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(900));
        (await w.Rpc.GetTransactionCountAsync(Node.DevAddresses[TowerHarness.KeyIndex], BlockParameter.Latest)).ShouldBe(nonceBefore + 1);
        (await RedeemsOfAsync(w, c)).ShouldBe(1);
    }

    [Fact]
    public async Task Crash_AfterStoringBeforeBroadcast_RestartSendsTheSameBytesOnce()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        var options = TowerHarness.Options(confirmations: 0);
        using (var tower = TowerHarness.Start(w, db.Path, options, chain => new DiesBeforeBroadcastChain(chain)))
        {
            await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900));
            await tower.Follower.PollOnceAsync();
            await w.Channels.StartCloseAsync(w.Payer, c);
            await Should.ThrowAsync<ProcessDiedException>(() => tower.Follower.PollOnceAsync());
        }

        using var restarted = TowerHarness.Start(w, db.Path, options);
        var stored = (await restarted.Store.GetDisputeAsync(c.Id, DisputeKind.Redeem)).ShouldNotBeNull();
        var poll = await restarted.Follower.PollOnceAsync();

        poll.Resent.ShouldBe(1);
        poll.Sent.ShouldBe(0);
        (await restarted.MinedAsync(w, c.Id)).TransactionHash.ShouldBe(stored.TransactionHash.ToArray());
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(900));
        (await restarted.Follower.PollOnceAsync()).ShouldSatisfyAllConditions(p => p.Sent.ShouldBe(0), p => p.Resent.ShouldBe(0));
        (await RedeemsOfAsync(w, c)).ShouldBe(1);
    }

    protected Task MineAsync(int blocks) =>
        Node.RequestAsync("hardhat_mine", "0x" + blocks.ToString("x", CultureInfo.InvariantCulture));

    private static async Task<int> RedeemsOfAsync(ChannelWorld w, ChannelParameters c) =>
        (await w.Channels.GetEventsAsync(BlockParameter.Earliest, BlockParameter.Latest)).OfType<VoucherRedeemedEvent>().Count(e => e.ChannelId == c.Id);

    /// <summary>Stores the signed transaction, then "dies" before the node receives it.</summary>
    private sealed class DiesBeforeBroadcastChain(IWatchtowerChain inner) : IWatchtowerChain
    {
        public ulong ChainId => inner.ChainId;

        public Ethereum.Addresses.Address Contract => inner.Contract;

        public Ethereum.Addresses.Address Sender => inner.Sender;

        public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => inner.GetHeadAsync(cancellationToken);

        public Task<TowerBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) => inner.GetBlockAsync(number, cancellationToken);

        public Task<IReadOnlyList<ChannelEvent>> GetEventsAsync(ulong from, ulong to, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(from, to, cancellationToken);

        public Task<ChannelState> GetStateAsync(Settlement.Channels.Vouchers.ChannelId channelId, CancellationToken cancellationToken = default) =>
            inner.GetStateAsync(channelId, cancellationToken);

        public Task<TowerTransactionStatus> GetTransactionStatusAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default) =>
            inner.GetTransactionStatusAsync(hash, cancellationToken);

        public Task<TowerTransaction> SubmitRedeemAsync(
            ChannelParameters channel, Settlement.Channels.Vouchers.SignedVoucher voucher, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default) =>
            inner.SubmitRedeemAsync(channel, voucher, async (tx, ct) =>
            {
                await beforeBroadcast(tx, ct);
                throw new ProcessDiedException();
            }, cancellationToken);

        public Task<TowerTransaction> SubmitSettleAsync(
            ChannelParameters channel, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default) =>
            inner.SubmitSettleAsync(channel, beforeBroadcast, cancellationToken);

        public Task<bool> RebroadcastAsync(TowerTransaction transaction, CancellationToken cancellationToken = default) =>
            inner.RebroadcastAsync(transaction, cancellationToken);
    }

    private sealed class ProcessDiedException : Exception
    {
        public ProcessDiedException()
            : base("simulated crash before the node received the transaction")
        {
        }
    }
}

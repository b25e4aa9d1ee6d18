using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Payee.Policy;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Policy;

/// <summary>
/// The payee's redeem and close policy against the real contract on Anvil: planned from the store and chain state,
/// executed as the payee; amounts checked on chain (channel state, token balances, events).
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PolicyExecutorTests(PayeeWorldFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private PolicyHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await new PolicyHarness(fixture).InitializeAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private ChannelContract Channels => fixture.World.Channels;

    private Task<BigInteger> BalanceAsync(Address owner) => fixture.World.Token.BalanceOfAsync(owner);

    [Fact]
    public async Task RunOnce_NearlyExhaustedChannel_RedeemedOnceAndSecondRunSendsNothing()
    {
        var channel = await fixture.OpenChannelAsync(10_000);
        await _harness.HoldAsync(channel, 9_500); // 500 left: below 10 %
        var payeeBefore = await BalanceAsync(fixture.Payee);
        var runner = _harness.Runner(PolicyHarness.Quiet(o => o.ExhaustedBelowBasisPoints = 1_000));

        var first = await runner.RunOnceAsync();

        var result = first.Results.ShouldHaveSingleItem();
        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Action.ShouldBeOfType<BatchRedeemAction>().Items.ShouldHaveSingleItem().Reason.ShouldBe(PolicyReason.DepositNearlyExhausted);
        (await Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(new BigInteger(9_500));
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(9_500));

        var second = await _harness.Runner(PolicyHarness.Quiet(o => o.ExhaustedBelowBasisPoints = 1_000)).RunOnceAsync();

        second.Plan.Actions.ShouldBeEmpty();
        second.Results.ShouldBeEmpty();
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(9_500));
    }

    [Fact]
    public async Task RunOnce_ChannelWithPlentyLeft_NothingSent()
    {
        var channel = await fixture.OpenChannelAsync(10_000);
        await _harness.HoldAsync(channel, 8_999); // 1,001 left: not below 10 %

        var run = await _harness.Runner(PolicyHarness.Quiet(o => o.ExhaustedBelowBasisPoints = 1_000)).RunOnceAsync();

        run.Snapshot.Channels.ShouldHaveSingleItem().View.Key.ShouldBe(channel.Key);
        run.Results.ShouldBeEmpty();
        (await Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Dispute_PayerClosesWithStaleVoucher_RedeemedBeforeDeadlineAndPayeeEndsWithExactlyNewest()
    {
        var payer = fixture.World.PayerKey.Address;
        var payerBefore = await BalanceAsync(payer);
        var payeeBefore = await BalanceAsync(fixture.Payee);
        var channel = await fixture.OpenChannelAsync(100_000);
        await _harness.HoldAsync(channel, 70_000);
        // The payer closes with an old voucher of its own (30,000) and hopes the payee misses the window.
        await Channels.StartCloseWithVoucherAsync(fixture.World.Payer, channel.Parameters, channel.Sign(30_000));
        var deadline = (await Channels.GetStateAsync(channel.Id)).CloseDeadline;
        var options = PolicyHarness.Quiet(o => o.DisputeMargin = TimeSpan.FromMinutes(10));

        // Ten minutes before the deadline the dispute is the most urgent action, sent on its own.
        await fixture.Node.IncreaseTimeAsync((long)(deadline - await fixture.World.LatestTimestampAsync()) - 600);
        await fixture.Node.MineAsync();
        var run = await _harness.Runner(options).RunOnceAsync();

        var dispute = run.Results.ShouldHaveSingleItem();
        dispute.Action.ShouldBeOfType<RedeemAction>().Reason.ShouldBe(PolicyReason.Dispute);
        dispute.Outcome.ShouldBe(PolicyOutcome.Done);
        var state = await Channels.GetStateAsync(channel.Id);
        state.RedeemedByPayee.ShouldBe(new BigInteger(70_000));
        (await fixture.World.LatestTimestampAsync()).ShouldBeLessThanOrEqualTo(deadline);

        await fixture.World.PassChallengePeriodAsync();
        var settle = (await _harness.Runner(options).RunOnceAsync()).Results.ShouldHaveSingleItem();

        settle.Action.ShouldBeOfType<SettleAction>();
        settle.Outcome.ShouldBe(PolicyOutcome.Done);
        (await Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(70_000));
        (payerBefore - await BalanceAsync(payer)).ShouldBe(new BigInteger(70_000));
    }

    [Fact]
    public async Task RedeemBatch_FourChannels_ClosingByDeadlineThenMostUrgentWithinBudget()
    {
        var roomy = await fixture.OpenChannelAsync(100_000);
        var closingSecond = await fixture.OpenChannelAsync(100_000);
        var closingFirst = await fixture.OpenChannelAsync(100_000);
        var tight = await fixture.OpenChannelAsync(100_000);
        await _harness.HoldAsync(roomy, 10_000);
        await _harness.HoldAsync(closingSecond, 20_000);
        await _harness.HoldAsync(closingFirst, 30_000);
        await _harness.HoldAsync(tight, 95_000);
        await Channels.StartCloseAsync(fixture.World.Payer, closingFirst.Parameters);
        await fixture.Node.IncreaseTimeAsync(100);
        await Channels.StartCloseAsync(fixture.World.Payer, closingSecond.Parameters);
        var options = PolicyHarness.Quiet();
        var budget = options.BatchBaseGas + (3 * options.BatchItemGas); // exactly three items

        var dry = await _harness.Runner(options).RedeemBatchAsync(null, budget, dryRun: true);

        var planned = dry.Plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>();
        planned.Items.Select(i => i.Channel.View.Key).ShouldBe([closingFirst.Key, closingSecond.Key, tight.Key]);
        planned.EstimatedGas.ShouldBe(budget);
        dry.Plan.Deferred.ShouldHaveSingleItem().Channel.View.Key.ShouldBe(roomy.Key);
        dry.Results.ShouldBeEmpty();
        (await Channels.GetStateAsync(closingFirst.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        var sent = await _harness.Runner(options).RedeemBatchAsync(null, budget, dryRun: false);

        var result = sent.Results.ShouldHaveSingleItem();
        result.Outcome.ShouldBe(PolicyOutcome.Done);
        var receipt = (await fixture.World.Rpc.GetTransactionReceiptAsync(result.TransactionHashes.ShouldHaveSingleItem()))!;
        result.GasUsed.ShouldBe(receipt.GasUsed);
        // The estimate is docs/gas.md's steady state rounded; calldata cost moves with the items' bytes (nonces, amounts).
        output.WriteLine($"3-item batch: {receipt.GasUsed} gas used, {budget} estimated");
        ((double)receipt.GasUsed).ShouldBe(budget, tolerance: budget * 0.02);
        Channels.DecodeEvents(receipt.Logs).OfType<BatchVoucherRedeemedEvent>().Select(e => e.ChannelId).ShouldBe([closingFirst.Id, closingSecond.Id, tight.Id]);
        (await Channels.GetStateAsync(closingFirst.Id)).RedeemedByPayee.ShouldBe(new BigInteger(30_000));
        (await Channels.GetStateAsync(closingSecond.Id)).RedeemedByPayee.ShouldBe(new BigInteger(20_000));
        (await Channels.GetStateAsync(tight.Id)).RedeemedByPayee.ShouldBe(new BigInteger(95_000));
        (await Channels.GetStateAsync(roomy.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        // The next batch holds only what was left out: items with nothing new are never sent again.
        var next = await _harness.Runner(options).RedeemBatchAsync(null, budget, dryRun: false);
        next.Plan.Actions.ShouldHaveSingleItem().Channels.Select(c => c.View.Key).ShouldBe([roomy.Key]);
        next.Results.ShouldHaveSingleItem().Outcome.ShouldBe(PolicyOutcome.Done);
        (await Channels.GetStateAsync(roomy.Id)).RedeemedByPayee.ShouldBe(new BigInteger(10_000));
        (await _harness.Runner(options).RedeemBatchAsync(null, budget, dryRun: false)).Plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public async Task Crash_AfterSendingBeforeRecording_NextRunSendsNothingNew()
    {
        var channel = await fixture.OpenChannelAsync(10_000);
        await _harness.HoldAsync(channel, 9_900);
        var payeeBefore = await BalanceAsync(fixture.Payee);
        var options = PolicyHarness.Quiet(o => { o.ExhaustedBelowBasisPoints = 1_000; o.UseBatch = false; });
        var crashing = new CrashAfterSend(fixture.World.Payee);

        await Should.ThrowAsync<IOException>(() => _harness.Runner(options, crashing).RunOnceAsync());
        crashing.Sent.ShouldBe(1);

        var restarted = await _harness.Runner(options).RunOnceAsync();

        restarted.Plan.Actions.ShouldBeEmpty();
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(9_900));
        var events = await Channels.GetEventsAsync(BlockParameter.Earliest, BlockParameter.Latest);
        events.OfType<VoucherRedeemedEvent>().Count(e => e.ChannelId == channel.Id).ShouldBe(1);
    }

    [Fact]
    public async Task Execute_SamePlanTwice_SecondReportsAlreadyDoneAndPaysNothing()
    {
        var single = await fixture.OpenChannelAsync(10_000);
        var batched = await fixture.OpenChannelAsync(10_000);
        await _harness.HoldAsync(single, 9_999);
        await _harness.HoldAsync(batched, 9_998);
        var world = fixture.World;
        var executor = new PolicyActionExecutor(world.Channels, world.Payee);
        var snapshot = await new PolicySnapshotReader(_harness.Store, new Channels.Payee.Chain.ChainChannelViewSource(world.Channels, world.Rpc, fixture.ChainId, 0), world.Channels, world.Rpc, _harness.Clock)
            .ReadAsync(fixture.Payee);
        var bySingle = snapshot.Channels.Single(c => c.View.Key == single.Key);
        var byBatch = snapshot.Channels.Single(c => c.View.Key == batched.Key);
        PolicyAction[] actions = [new RedeemAction(bySingle, PolicyReason.DepositNearlyExhausted), new BatchRedeemAction([new BatchItem(byBatch, PolicyReason.Requested)], 51_800)];
        (await executor.ExecuteAsync(actions)).ShouldAllBe(r => r.Outcome == PolicyOutcome.Done);
        var payeeAfterFirst = await BalanceAsync(fixture.Payee);

        var again = await executor.ExecuteAsync(actions);

        again[0].Outcome.ShouldBe(PolicyOutcome.AlreadyDone);
        again[0].Detail.ShouldBe("VoucherNotNewer");
        // Contract v1 reverts the whole batch (then each item alone is "already done"); v2 skips the item: either way no payment.
        again[1].Outcome.ShouldBeOneOf(PolicyOutcome.Done, PolicyOutcome.AlreadyDone);
        (await BalanceAsync(fixture.Payee)).ShouldBe(payeeAfterFirst);
    }

    [Fact]
    public async Task RedeemBatch_OneItemRedeemedByAnotherFirst_TheOthersStillPaidExactlyOnce()
    {
        var first = await fixture.OpenChannelAsync(10_000);
        var second = await fixture.OpenChannelAsync(10_000);
        await _harness.HoldAsync(first, 4_000);
        await _harness.HoldAsync(second, 6_000);
        var runner = _harness.Runner(PolicyHarness.Quiet());
        var world = fixture.World;
        var snapshot = await new PolicySnapshotReader(_harness.Store, new Channels.Payee.Chain.ChainChannelViewSource(world.Channels, world.Rpc, fixture.ChainId, 0), world.Channels, world.Rpc, _harness.Clock)
            .ReadAsync(fixture.Payee);
        var plan = runner.Planner.PlanBatch(snapshot);
        plan.Actions.ShouldHaveSingleItem().Channels.Count.ShouldBe(2);
        await Channels.RedeemAsync(world.Other, first.Parameters, first.Sign(4_000)); // front-runs one item
        var payeeBefore = await BalanceAsync(fixture.Payee);

        var result = (await new PolicyActionExecutor(world.Channels, world.Payee).ExecuteAsync(plan.Actions)).ShouldHaveSingleItem();

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        (await Channels.GetStateAsync(first.Id)).RedeemedByPayee.ShouldBe(new BigInteger(4_000));
        (await Channels.GetStateAsync(second.Id)).RedeemedByPayee.ShouldBe(new BigInteger(6_000));
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(6_000));
    }

    [Fact]
    public async Task IdleClose_ThenSettleAfterDeadline_PayeeGetsNewestPayerTheRest()
    {
        var payer = fixture.World.PayerKey.Address;
        var payerBefore = await BalanceAsync(payer);
        var payeeBefore = await BalanceAsync(fixture.Payee);
        var channel = await fixture.OpenChannelAsync(50_000);
        await _harness.HoldAsync(channel, 20_000, ago: TimeSpan.FromMinutes(59));
        var options = PolicyHarness.Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(1));
        (await _harness.Runner(options).RunOnceAsync()).Results.ShouldBeEmpty();

        _harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var close = (await _harness.Runner(options).RunOnceAsync()).Results.ShouldHaveSingleItem();

        close.Action.ShouldBeOfType<CloseIdleAction>();
        close.Outcome.ShouldBe(PolicyOutcome.Done);
        var closing = await Channels.GetStateAsync(channel.Id);
        closing.IsClosing.ShouldBeTrue();
        closing.RedeemedByPayee.ShouldBe(new BigInteger(20_000));
        (await _harness.Runner(options).RunOnceAsync()).Results.ShouldBeEmpty(); // before the deadline: nothing to do

        await fixture.World.PassChallengePeriodAsync();
        var settle = (await _harness.Runner(options).RunOnceAsync()).Results.ShouldHaveSingleItem();

        settle.Action.ShouldBeOfType<SettleAction>();
        settle.Outcome.ShouldBe(PolicyOutcome.Done);
        (await Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await BalanceAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(20_000));
        (payerBefore - await BalanceAsync(payer)).ShouldBe(new BigInteger(20_000));
        (await _harness.Runner(options).RunOnceAsync()).Snapshot.Channels.ShouldBeEmpty();
    }

    [Fact]
    public async Task IdleClose_VoucherRedeemedByThirdPartyAfterPlanning_FallsBackToStartClose()
    {
        var channel = await fixture.OpenChannelAsync(50_000);
        await _harness.HoldAsync(channel, 20_000, ago: TimeSpan.FromDays(2));
        var world = fixture.World;
        var snapshot = await new PolicySnapshotReader(_harness.Store, new Channels.Payee.Chain.ChainChannelViewSource(world.Channels, world.Rpc, fixture.ChainId, 0), world.Channels, world.Rpc, _harness.Clock)
            .ReadAsync(fixture.Payee);
        var plan = new PayeePolicyPlanner(PolicyHarness.Quiet(o => o.IdleCloseAfter = TimeSpan.FromDays(1))).Plan(snapshot);
        await Channels.RedeemAsync(world.Other, channel.Parameters, channel.Sign(20_000)); // e.g. a watchtower

        var result = (await new PolicyActionExecutor(world.Channels, world.Payee).ExecuteAsync(plan.Actions)).ShouldHaveSingleItem();

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("closing");
        var state = await Channels.GetStateAsync(channel.Id);
        state.IsClosing.ShouldBeTrue();
        state.RedeemedByPayee.ShouldBe(new BigInteger(20_000));
    }

    /// <summary>Sends through the real transactor, then fails as if the process died before recording anything.</summary>
    private sealed class CrashAfterSend(IContractTransactor inner) : IContractTransactor
    {
        public int Sent { get; private set; }

        public Address Sender => inner.Sender;

        public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
        {
            await inner.SendAsync(to, data, value, cancellationToken);
            Sent++;
            throw new IOException("simulated crash after the transaction was mined");
        }
    }
}

using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PayeePolicyPlannerTests
{
    private const ulong ChainTime = 1_800_000_000;
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address PayeeAddress = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address TokenA = Address.Parse("0x00000000000000000000000000000000000000aa");
    private static readonly Address TokenB = Address.Parse("0x00000000000000000000000000000000000000bb");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    // Every rule off except the one a test turns on; batching on with the docs/gas.md defaults; idle closes (when a test
    // turns them on) unilateral at once unless the test sets a grace.
    private static PayeePolicyOptions Quiet(Action<PayeePolicyOptions>? configure = null)
    {
        var options = new PayeePolicyOptions { ExhaustedBelowBasisPoints = 0, IdleCloseAfter = null, IdleCloseGrace = null };
        configure?.Invoke(options);
        return options;
    }

    private PolicyChannel Channel(
        ulong nonce, BigInteger deposit, BigInteger redeemed, BigInteger? newest, ulong closeDeadline = 0, TimeSpan? receivedAgo = null,
        Address? token = null, bool settled = false, uint challengePeriod = 3600)
    {
        var parameters = new ChannelParameters(Payer, PayeeAddress, token ?? TokenA, challengePeriod, nonce);
        var key = new ChannelKey(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), parameters.Id);
        var view = new PayeeChannelView(key, parameters, deposit, redeemed, 0, 0, closeDeadline, settled);
        var voucher = newest is { } amount
            ? new StoredVoucher(key, Payer, amount, new byte[65], _clock.GetUtcNow() - (receivedAgo ?? TimeSpan.FromMinutes(1)))
            : null;
        return new PolicyChannel(view, voucher);
    }

    private PolicyPlan Plan(PayeePolicyOptions options, params PolicyChannel[] channels) =>
        new PayeePolicyPlanner(options).Plan(new PolicySnapshot(channels, _clock.GetUtcNow(), ChainTime));

    private PolicyPlan Plan(PayeePolicyOptions options, IReadOnlyList<CloseRequest> requests, params PolicyChannel[] channels) =>
        new PayeePolicyPlanner(options).Plan(
            new PolicySnapshot(channels, _clock.GetUtcNow(), ChainTime) { CloseRequests = requests.ToDictionary(r => r.Key) });

    private static BatchItem SingleBatchItem(PolicyPlan plan) =>
        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.ShouldHaveSingleItem();

    // ------------------------------------------------------------------ open channels: thresholds

    [Theory]
    [InlineData(9_000, false)] // remaining 1,000 = exactly 10 %: not below
    [InlineData(9_001, true)] // remaining 999: below
    public void Plan_RemainingShareAtAndBelowBasisPoints_RedeemsOnlyBelow(int newest, bool redeems)
    {
        var plan = Plan(Quiet(o => o.ExhaustedBelowBasisPoints = 1_000), Channel(1, 10_000, 0, newest));

        if (redeems)
        {
            var item = SingleBatchItem(plan);
            item.Reason.ShouldBe(PolicyReason.DepositNearlyExhausted);
            item.Channel.Newest!.Cumulative.ShouldBe(new BigInteger(newest));
        }
        else
        {
            plan.Actions.ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData(9_500, false)] // remaining 500: not below 500
    [InlineData(9_501, true)]
    public void Plan_RemainingAtAndBelowAbsoluteAmount_RedeemsOnlyBelow(int newest, bool redeems)
    {
        var plan = Plan(Quiet(o => o.ExhaustedBelowAmount = "500"), Channel(1, 10_000, 0, newest));

        plan.Actions.Count.ShouldBe(redeems ? 1 : 0);
        if (redeems)
        {
            SingleBatchItem(plan).Reason.ShouldBe(PolicyReason.DepositNearlyExhausted);
        }
    }

    [Theory]
    [InlineData(3_000, false)] // 1,000 unredeemed: not above 1,000
    [InlineData(3_001, true)]
    public void Plan_UnredeemedAtAndAboveThreshold_RedeemsOnlyAbove(int newest, bool redeems)
    {
        var plan = Plan(Quiet(o => o.UnredeemedAbove = "1000"), Channel(1, 1_000_000, 2_000, newest));

        plan.Actions.Count.ShouldBe(redeems ? 1 : 0);
        if (redeems)
        {
            SingleBatchItem(plan).Reason.ShouldBe(PolicyReason.UnredeemedAboveThreshold);
        }
    }

    [Fact]
    public void Plan_ExhaustedButNothingNewToRedeem_NoAction()
    {
        var plan = Plan(Quiet(o => o.ExhaustedBelowBasisPoints = 5_000), Channel(1, 10_000, 9_900, 9_900), Channel(2, 10_000, 0, null));

        plan.Actions.ShouldBeEmpty();
        plan.Deferred.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_BatchOff_OneRedeemEachInUrgencyOrder()
    {
        var lessUrgent = Channel(1, 10_000, 0, 9_500);
        var moreUrgent = Channel(2, 10_000, 0, 9_900);

        var plan = Plan(Quiet(o => { o.ExhaustedBelowBasisPoints = 1_000; o.UseBatch = false; }), lessUrgent, moreUrgent);

        plan.Actions.Select(a => a.ShouldBeOfType<RedeemAction>().Channel).ShouldBe([moreUrgent, lessUrgent]);
        plan.Actions.Cast<RedeemAction>().ShouldAllBe(a => a.Reason == PolicyReason.DepositNearlyExhausted);
    }

    // ------------------------------------------------------------------ closing channels

    [Fact]
    public void Plan_ClosingDeadlineExactlyAtMargin_DisputesAloneAtOnce()
    {
        var closing = Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime + 1_800);

        var plan = Plan(Quiet(o => o.DisputeMargin = TimeSpan.FromSeconds(1_800)), closing);

        var dispute = plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<RedeemAction>();
        dispute.Reason.ShouldBe(PolicyReason.Dispute);
        dispute.Channel.ShouldBe(closing);
    }

    [Fact]
    public void Plan_ClosingDeadlineOneSecondBeyondMargin_RedeemedInBatchAsClosing()
    {
        var plan = Plan(Quiet(o => o.DisputeMargin = TimeSpan.FromSeconds(1_800)), Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime + 1_801));

        SingleBatchItem(plan).Reason.ShouldBe(PolicyReason.Closing);
    }

    [Fact]
    public void Plan_ClosingBeyondMarginBatchOff_RedeemedAloneAsClosing()
    {
        var plan = Plan(Quiet(o => o.UseBatch = false), Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime + 86_400));

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<RedeemAction>().Reason.ShouldBe(PolicyReason.Closing);
    }

    [Fact]
    public void Plan_ClosingAtDeadlineSecond_StillDisputes()
    {
        var plan = Plan(Quiet(), Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime));

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<RedeemAction>().Reason.ShouldBe(PolicyReason.Dispute);
    }

    [Fact]
    public void Plan_ClosingWithNothingNewer_NoAction()
    {
        var plan = Plan(Quiet(), Channel(1, 10_000, 5_000, 5_000, closeDeadline: ChainTime + 60), Channel(2, 10_000, 0, null, closeDeadline: ChainTime + 60));

        plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_DeadlinePassed_SettlesEvenWithNewerVoucher()
    {
        var passed = Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime - 1);

        var plan = Plan(Quiet(), passed);

        var settle = plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<SettleAction>();
        settle.Channel.ShouldBe(passed);
        settle.Reason.ShouldBe(PolicyReason.DeadlinePassed);
    }

    [Fact]
    public void Plan_DeadlinePassedSettleOff_NoAction()
    {
        var plan = Plan(Quiet(o => o.SettleAfterDeadline = false), Channel(1, 10_000, 2_000, 5_000, closeDeadline: ChainTime - 1));

        plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_Disputes_NearestDeadlineFirstThenBeforeSettlesClosesAndBatches()
    {
        var later = Channel(1, 10_000, 0, 100, closeDeadline: ChainTime + 600);
        var sooner = Channel(2, 10_000, 0, 100, closeDeadline: ChainTime + 60);
        var settle = Channel(3, 10_000, 0, 100, closeDeadline: ChainTime - 5);
        var idle = Channel(4, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2));
        var exhausted = Channel(5, 10_000, 0, 9_999);

        var plan = Plan(Quiet(o => { o.IdleCloseAfter = TimeSpan.FromDays(1); o.ExhaustedBelowBasisPoints = 1_000; }), exhausted, idle, settle, later, sooner);

        plan.Actions.Select(a => a.GetType()).ShouldBe([typeof(RedeemAction), typeof(RedeemAction), typeof(SettleAction), typeof(CloseIdleAction), typeof(BatchRedeemAction)]);
        plan.Actions[0].Channels.ShouldBe([sooner]);
        plan.Actions[1].Channels.ShouldBe([later]);
        plan.Actions[4].Channels.ShouldBe([exhausted]);
    }

    // ------------------------------------------------------------------ idle channels

    [Fact]
    public void Plan_NoVoucherForExactlyIdleTime_ClosesWithNewestVoucher()
    {
        var idle = Channel(1, 10_000, 2_000, 5_000, receivedAgo: TimeSpan.FromHours(24));

        var plan = Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(24)), idle);

        var close = plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>();
        close.Channel.ShouldBe(idle);
        close.Reason.ShouldBe(PolicyReason.Idle);
    }

    [Fact]
    public void Plan_LastVoucherOneSecondYoungerThanIdleTime_NotClosed()
    {
        var plan = Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(24)), Channel(1, 10_000, 2_000, 5_000, receivedAgo: TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1)));

        plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_IdleAfterFakeClockAdvances_ClosedOnlyThen()
    {
        var options = Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(1));
        var channel = Channel(1, 10_000, 0, 100, receivedAgo: TimeSpan.Zero);
        Plan(options, channel).Actions.ShouldBeEmpty();

        _clock.Advance(TimeSpan.FromHours(1));

        Plan(options, channel).Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>();
    }

    [Fact]
    public void Plan_IdleWithEverythingRedeemed_StillCloses()
    {
        var plan = Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(1)), Channel(1, 10_000, 5_000, 5_000, receivedAgo: TimeSpan.FromDays(3)));

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>().Channel.Unredeemed.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public void Plan_IdleButNoVoucherEverOrIdleOffOrAlreadyClosing_NotClosed()
    {
        var never = Channel(1, 10_000, 0, null);
        var closing = Channel(2, 10_000, 100, 100, closeDeadline: ChainTime + 100, receivedAgo: TimeSpan.FromDays(30));
        Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromHours(1)), never, closing).Actions.ShouldBeEmpty();
        Plan(Quiet(), Channel(3, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(365))).Actions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_IdleAndExhausted_OnlyTheClose()
    {
        var plan = Plan(Quiet(o => { o.IdleCloseAfter = TimeSpan.FromHours(1); o.ExhaustedBelowBasisPoints = 10_000; }), Channel(1, 10_000, 0, 9_999, receivedAgo: TimeSpan.FromDays(1)));

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>();
    }

    // ------------------------------------------------------------------ idle channels: cooperative close first

    private static PayeePolicyOptions Cooperative() =>
        Quiet(o => { o.IdleCloseAfter = TimeSpan.FromHours(24); o.IdleCloseGrace = TimeSpan.FromHours(6); });

    [Fact]
    public void Plan_IdleWithGraceNoRequestYet_RequestsCooperativeCloseNoTransaction()
    {
        var idle = Channel(1, 10_000, 2_000, 5_000, receivedAgo: TimeSpan.FromHours(24));

        var request = Plan(Cooperative(), idle).Actions.ShouldHaveSingleItem().ShouldBeOfType<RequestCloseAction>();

        request.Channel.ShouldBe(idle);
        request.Reason.ShouldBe(PolicyReason.Idle);
    }

    [Fact]
    public void Plan_RequestWithinGrace_WaitsThenClosesUnilaterallyExactlyAtGraceEnd()
    {
        var idle = Channel(1, 10_000, 2_000, 5_000, receivedAgo: TimeSpan.FromHours(24));
        CloseRequest[] requests = [new(idle.View.Key, _clock.GetUtcNow())];

        Plan(Cooperative(), requests, idle).Actions.ShouldBeEmpty();
        _clock.Advance(TimeSpan.FromHours(6) - TimeSpan.FromSeconds(1));
        Plan(Cooperative(), requests, idle).Actions.ShouldBeEmpty();
        _clock.Advance(TimeSpan.FromSeconds(1));

        Plan(Cooperative(), requests, idle).Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>().Channel.ShouldBe(idle);
    }

    [Fact]
    public void Plan_RequestedChannelClosedCooperatively_NoAction()
    {
        // The payer closed with the payee's agreement: the channel is settled on chain, so the request leads nowhere.
        var settled = Channel(1, 10_000, 5_000, 5_000, receivedAgo: TimeSpan.FromDays(3), settled: true);
        CloseRequest[] requests = [new(settled.View.Key, _clock.GetUtcNow() - TimeSpan.FromDays(2))];

        Plan(Cooperative(), requests, settled).Actions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_VoucherAfterTheRequest_RequestWithdrawnAndAskedAgainWhenIdleAgain()
    {
        // Asked 2 days ago, but the payer paid again an hour ago: not idle now, so no close at all.
        var requestedAt = _clock.GetUtcNow() - TimeSpan.FromDays(2);
        var resumed = Channel(1, 10_000, 0, 7_000, receivedAgo: TimeSpan.FromHours(1));
        CloseRequest[] requests = [new(resumed.View.Key, requestedAt)];
        Plan(Cooperative(), requests, resumed).Actions.ShouldBeEmpty();

        // Idle again a day after that voucher: the old request (older than the voucher) does not count, even though its
        // grace is long over; a new request is made instead of a unilateral close.
        _clock.Advance(TimeSpan.FromHours(23));
        Plan(Cooperative(), requests, resumed).Actions.ShouldHaveSingleItem().ShouldBeOfType<RequestCloseAction>();
    }

    [Fact]
    public void Plan_RequestOfAnotherChannel_DoesNotCount()
    {
        var idle = Channel(1, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(3));
        var other = Channel(2, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(3));
        CloseRequest[] requests = [new(other.View.Key, _clock.GetUtcNow() - TimeSpan.FromDays(2))];

        var plan = Plan(Cooperative(), requests, idle, other);

        plan.Actions.Count.ShouldBe(2);
        plan.Actions[0].ShouldBeOfType<CloseIdleAction>().Channel.ShouldBe(other);
        plan.Actions[1].ShouldBeOfType<RequestCloseAction>().Channel.ShouldBe(idle);
    }

    [Fact]
    public void Plan_SettledOrRepeatedChannel_NoDuplicateAndNoAction()
    {
        var open = Channel(1, 10_000, 0, 9_999);
        var settled = Channel(2, 10_000, 0, 9_999, settled: true);

        var plan = Plan(Quiet(o => o.ExhaustedBelowBasisPoints = 1_000), open, open, settled);

        SingleBatchItem(plan).Channel.ShouldBe(open);
    }

    [Fact]
    public void Plan_NothingHeld_EmptyPlan()
    {
        var plan = Plan(new PayeePolicyOptions());

        plan.Actions.ShouldBeEmpty();
        plan.Deferred.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ batches

    [Fact]
    public void Plan_BatchOrder_ClosingByDeadlineThenOpenByShareLeftThenUnredeemedThenId()
    {
        var closingLate = Channel(1, 10_000, 0, 100, closeDeadline: ChainTime + 9_000);
        var closingSoon = Channel(2, 10_000, 0, 100, closeDeadline: ChainTime + 8_000);
        var tenPercentLeft = Channel(3, 10_000, 0, 9_000);
        var onePercentLeft = Channel(4, 100_000, 0, 99_000);
        var onePercentLeftTwin = Channel(5, 100_000, 0, 99_000); // ties with channel 4 on share and unredeemed
        var onePercentLeftLessUnredeemed = Channel(6, 100_000, 50_000, 99_000); // same share, unredeemed 49,000
        var options = Quiet(o => { o.ExhaustedBelowBasisPoints = 2_000; o.DisputeMargin = TimeSpan.FromSeconds(60); });

        var plan = Plan(options, tenPercentLeft, onePercentLeftLessUnredeemed, closingLate, onePercentLeft, closingSoon, onePercentLeftTwin);

        var order = plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.Select(i => i.Channel).ToList();
        order.Take(2).ShouldBe([closingSoon, closingLate]);
        order[^1].ShouldBe(tenPercentLeft);
        order[^2].ShouldBe(onePercentLeftLessUnredeemed);
        // channels 4 and 5 tie on share and unredeemed: ordered by channel id bytes, whatever the input order.
        var tied = new[] { onePercentLeft, onePercentLeftTwin }
            .OrderBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal).ToArray();
        order.Skip(2).Take(2).ShouldBe(tied);
        var reversed = Plan(options, onePercentLeftTwin, closingSoon, onePercentLeft, closingLate, onePercentLeftLessUnredeemed, tenPercentLeft);
        reversed.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.Select(i => i.Channel).ShouldBe(order);
    }

    [Fact]
    public void Plan_GasBudgetExactlyFitsThreeItems_ThreeInBatchFourthDeferred()
    {
        var channels = Enumerable.Range(1, 4).Select(i => Channel((ulong)i, 10_000, 0, 9_990 + i)).ToArray();
        var options = Quiet(o => { o.ExhaustedBelowBasisPoints = 1_000; o.BatchBaseGas = 40_000; o.BatchItemGas = 10_000; o.BatchGasBudget = 70_000; });

        var plan = Plan(options, channels);

        var batch = plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>();
        batch.Items.Count.ShouldBe(3);
        batch.EstimatedGas.ShouldBe(70_000);
        batch.Items.Select(i => i.Channel).ShouldBe([channels[3], channels[2], channels[1]]); // least left first
        plan.Deferred.ShouldHaveSingleItem().Channel.ShouldBe(channels[0]);
    }

    [Fact]
    public void Plan_GasBudgetOneBelowFourItems_StillThree()
    {
        var channels = Enumerable.Range(1, 4).Select(i => Channel((ulong)i, 10_000, 0, 9_990 + i)).ToArray();

        var plan = Plan(Quiet(o => { o.ExhaustedBelowBasisPoints = 1_000; o.BatchBaseGas = 40_000; o.BatchItemGas = 10_000; o.BatchGasBudget = 79_999; }), channels);

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.Count.ShouldBe(3);
        plan.Deferred.Count.ShouldBe(1);
    }

    [Fact]
    public void Plan_TwoTokens_OneBatchPerTokenMostUrgentBatchFirst()
    {
        var a1 = Channel(1, 10_000, 0, 9_500, token: TokenA);
        var b1 = Channel(2, 10_000, 0, 9_900, token: TokenB);
        var a2 = Channel(3, 10_000, 0, 9_800, token: TokenA);

        var plan = Plan(Quiet(o => o.ExhaustedBelowBasisPoints = 1_000), a1, b1, a2);

        plan.Actions.Count.ShouldBe(2);
        var first = plan.Actions[0].ShouldBeOfType<BatchRedeemAction>();
        first.Token.ShouldBe(TokenB);
        first.Items.Select(i => i.Channel).ShouldBe([b1]);
        var second = plan.Actions[1].ShouldBeOfType<BatchRedeemAction>();
        second.Token.ShouldBe(TokenA);
        second.Items.Select(i => i.Channel).ShouldBe([a2, a1]);
        plan.Actions.SelectMany(a => a.Channels).Select(c => c.View.Key).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public void Plan_TwoChallengePeriodsOneToken_OneBatchPerChallengePeriod()
    {
        // A batch sends one challenge period for all its items (docs/protocol.md, "Batch encoding").
        var hour1 = Channel(1, 10_000, 0, 9_500);
        var day = Channel(2, 10_000, 0, 9_900, challengePeriod: 86_400);
        var hour2 = Channel(3, 10_000, 0, 9_800);

        var plan = Plan(Quiet(o => o.ExhaustedBelowBasisPoints = 1_000), hour1, day, hour2);

        plan.Actions.Count.ShouldBe(2);
        plan.Actions[0].ShouldBeOfType<BatchRedeemAction>().Items.Select(i => i.Channel).ShouldBe([day]);
        plan.Actions[1].ShouldBeOfType<BatchRedeemAction>().Items.Select(i => i.Channel).ShouldBe([hour2, hour1]);
        plan.Actions.ShouldAllBe(a => a.Token == TokenA);
    }

    [Fact]
    public void PlanBatch_EverythingWithSomethingNew_TokenFilterAndBudgetOverride()
    {
        var open = Channel(1, 10_000, 0, 10, token: TokenA);
        var closing = Channel(2, 10_000, 0, 10, closeDeadline: ChainTime + 100_000, token: TokenA);
        var nothingNew = Channel(3, 10_000, 10, 10, token: TokenA);
        var passed = Channel(4, 10_000, 0, 10, closeDeadline: ChainTime - 1, token: TokenA);
        var otherToken = Channel(5, 10_000, 0, 10, token: TokenB);
        var planner = new PayeePolicyPlanner(Quiet());
        var snapshot = new PolicySnapshot([open, closing, nothingNew, passed, otherToken], _clock.GetUtcNow(), ChainTime);

        var all = planner.PlanBatch(snapshot);
        all.Actions.Count.ShouldBe(2);
        var a = all.Actions[0].ShouldBeOfType<BatchRedeemAction>();
        a.Items.Select(i => (i.Channel, i.Reason)).ShouldBe([(closing, PolicyReason.Closing), (open, PolicyReason.Requested)]);

        var onlyA = planner.PlanBatch(snapshot, TokenA, PayeePolicyOptions.DefaultBatchBaseGas + PayeePolicyOptions.DefaultBatchItemGas);
        onlyA.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.ShouldHaveSingleItem().Channel.ShouldBe(closing);
        onlyA.Deferred.ShouldHaveSingleItem().Channel.ShouldBe(open);
    }

    [Fact]
    public void BatchSelector_BudgetBelowOneItem_NothingSelectedEverythingDeferred()
    {
        var item = new BatchItem(Channel(1, 10_000, 0, 10), PolicyReason.Requested);

        var (batches, deferred) = BatchSelector.Select([item], 49_999, 40_000, 10_000);

        batches.ShouldBeEmpty();
        deferred.ShouldBe([item]);
        BatchSelector.MaxItems(50_000, 40_000, 10_000).ShouldBe(1);
    }

    // ------------------------------------------------------------------ options

    public static TheoryData<Action<PayeePolicyOptions>, string> BadOptions => new()
    {
        { o => o.Interval = TimeSpan.Zero, "Payee:Policy:Interval must be positive; got '00:00:00'." },
        { o => o.DisputeMargin = TimeSpan.FromSeconds(-1), "Payee:Policy:DisputeMargin must not be negative; got '-00:00:01'." },
        { o => o.IdleCloseAfter = TimeSpan.Zero, "Payee:Policy:IdleCloseAfter must be positive (or unset to turn idle closes off); got '00:00:00'." },
        { o => o.IdleCloseGrace = TimeSpan.Zero, "Payee:Policy:IdleCloseGrace must be positive (or unset to close idle channels unilaterally at once); got '00:00:00'." },
        { o => o.ExhaustedBelowAmount = "0", "Payee:Policy:ExhaustedBelowAmount must be a positive whole number of base units; got '0'." },
        { o => o.UnredeemedAbove = "1e6", "Payee:Policy:UnredeemedAbove must be a positive whole number of base units; got '1e6'." },
        { o => o.ExhaustedBelowBasisPoints = 10_001, "The field ExhaustedBelowBasisPoints must be between 0 and 10000." },
        {
            o => o.BatchGasBudget = PayeePolicyOptions.DefaultBatchBaseGas + PayeePolicyOptions.DefaultBatchItemGas - 1,
            "Payee:Policy:BatchGasBudget (51899) must be at least BatchBaseGas + BatchItemGas (51900): no batch of one item would fit."
        },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Planner_BadOptions_RefusedWithMessageNamingTheSetting(Action<PayeePolicyOptions> spoil, string message)
    {
        var options = new PayeePolicyOptions();
        spoil(options);

        var refused = Should.Throw<ArgumentException>(() => new PayeePolicyPlanner(options));

        refused.Message.ShouldBe($"{message} (Parameter 'options')");
    }

    [Fact]
    public void Planner_DefaultOptions_Valid()
    {
        var options = new PayeePolicyOptions();

        Should.NotThrow(() => new PayeePolicyPlanner(options));
        options.Enabled.ShouldBeFalse();
        options.BatchBaseGas.ShouldBe(41_400);
        options.BatchItemGas.ShouldBe(10_500);
    }
    // ------------------------------------------------------------------ from the mutation run

    private static PolicyChannel[] ById(params PolicyChannel[] channels) =>
        [.. channels.OrderBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal)];

    [Fact]
    public void Plan_EqualDeadlinesOrIdleTimes_TiesBrokenByChannelIdAscending()
    {
        var disputes = ById(Channel(1, 10_000, 0, 100, closeDeadline: ChainTime + 60), Channel(2, 10_000, 0, 100, closeDeadline: ChainTime + 60));
        var settles = ById(Channel(3, 10_000, 0, 100, closeDeadline: ChainTime - 5), Channel(4, 10_000, 0, 100, closeDeadline: ChainTime - 5));
        var idle = ById(Channel(5, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2)), Channel(6, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2)));

        var plan = Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromDays(1)), [.. disputes.Reverse(), .. settles.Reverse(), .. idle.Reverse()]);

        plan.Actions.Select(a => a.Channels.ShouldHaveSingleItem()).ShouldBe([.. disputes, .. settles, .. idle]);
        var requests = ById(Channel(7, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2)), Channel(8, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2)));
        Plan(Cooperative(), [.. requests.Reverse()]).Actions.Select(a => a.ShouldBeOfType<RequestCloseAction>().Channel).ShouldBe(requests);
    }

    [Fact]
    public void Plan_SettlesClosesAndRequests_EarliestDeadlineOrOldestVoucherFirst()
    {
        var settleLater = Channel(1, 10_000, 0, 100, closeDeadline: ChainTime - 5);
        var settleSooner = Channel(2, 10_000, 0, 100, closeDeadline: ChainTime - 50);
        var idleRecently = Channel(3, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(2));
        var idleLonger = Channel(4, 10_000, 0, 100, receivedAgo: TimeSpan.FromDays(3));

        var plan = Plan(Quiet(o => o.IdleCloseAfter = TimeSpan.FromDays(1)), settleLater, settleSooner, idleRecently, idleLonger);

        plan.Actions.Select(a => a.Channels.ShouldHaveSingleItem()).ShouldBe([settleSooner, settleLater, idleLonger, idleRecently]);
        Plan(Cooperative(), idleRecently, idleLonger).Actions.Select(a => a.ShouldBeOfType<RequestCloseAction>().Channel).ShouldBe([idleLonger, idleRecently]);
    }

    [Fact]
    public void Plan_RequestAtTheSameInstantAsTheNewestVoucher_CountsAsAskedSoClosedOnceTheGraceIsOver()
    {
        // No voucher after the request: the payer was asked, so after the grace the close is unilateral, not asked again.
        var idle = Channel(1, 10_000, 2_000, 5_000, receivedAgo: TimeSpan.FromHours(24));
        CloseRequest[] requests = [new(idle.View.Key, idle.Newest!.ReceivedAt)];

        Plan(Cooperative(), requests, idle).Actions.ShouldHaveSingleItem().ShouldBeOfType<CloseIdleAction>().Channel.ShouldBe(idle);
    }

    [Fact]
    public void Plan_ExhaustedNothingNewBatchOff_NoRedeem()
    {
        var plan = Plan(Quiet(o => { o.ExhaustedBelowBasisPoints = 5_000; o.UseBatch = false; }), Channel(1, 10_000, 9_900, 9_900));

        plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public void PlanBatch_ClosingAtItsDeadlineSecond_StillIncluded()
    {
        var closing = Channel(1, 10_000, 0, 10, closeDeadline: ChainTime);
        var planner = new PayeePolicyPlanner(Quiet());

        var plan = planner.PlanBatch(new PolicySnapshot([closing], _clock.GetUtcNow(), ChainTime));

        plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>().Items.ShouldHaveSingleItem().Channel.ShouldBe(closing);
    }

    [Fact]
    public void Planner_NullArguments_ThrowNamingThem()
    {
        var planner = new PayeePolicyPlanner(Quiet());

        Should.Throw<ArgumentNullException>(() => new PayeePolicyPlanner(null!)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentNullException>(() => PayeePolicyPlanner.ThrowIfInvalid(null!)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentNullException>(() => planner.Plan(null!)).ParamName.ShouldBe("snapshot");
        Should.Throw<ArgumentNullException>(() => planner.PlanBatch(null!)).ParamName.ShouldBe("snapshot");
    }

    [Fact]
    public void BatchSelector_BudgetExactlyBaseMinusOneItem_ZeroItemsNotNegative()
    {
        BatchSelector.MaxItems(30_000, 40_000, 10_000).ShouldBe(0);
    }

    [Fact]
    public void BatchSelector_ZeroDepositChannel_MostExhaustedFirst()
    {
        // No deposit left to spend: its share is 0 of 1, below any positive share, whatever the amounts to redeem.
        var empty = new BatchItem(Channel(1, 0, 0, 5), PolicyReason.Requested);
        var half = new BatchItem(Channel(2, 10_000, 0, 5_000), PolicyReason.Requested);

        BatchSelector.Order([half, empty]).ShouldBe([empty, half]);
    }
}

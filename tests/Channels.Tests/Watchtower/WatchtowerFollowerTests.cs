using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Tests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// The follower's scan, reorg and duty logic against a scripted chain and an in-memory store: which ranges it reads,
/// where its checkpoint moves, what it sends, what it stores before sending, and which alerts it raises.
/// (Watchtower.IntegrationTests run it against Anvil and Hardhat with the SQLite store.)
/// </summary>
public sealed class WatchtowerFollowerTests : IDisposable
{
    private static readonly Address Payer = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    private static readonly Address Payee = Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    private static readonly Address Stranger = Address.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");

    private readonly InMemoryWatchtowerStore _store = new();
    private readonly FakeWatchtowerChain _chain;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly MeterRecorder<WatchtowerMetrics> _meter = WatchtowerMeterAssertions.Record();
    private readonly CapturingLogger<WatchtowerFollower> _log = new();

    public WatchtowerFollowerTests() => _chain = new FakeWatchtowerChain(_store);

    public void Dispose() => _meter.Dispose();

    private static ChannelParameters Channel(ulong nonce) => new(Payer, Payee, Address.Zero, 3600, nonce);

    private static Delegation Held(ChannelParameters channel, BigInteger amount, ulong? deadline = null) =>
        new(channel, new SignedVoucher(new Voucher(channel.Id, amount), default(EcdsaSignature)), DateTimeOffset.UnixEpoch, deadline, false);

    private WatchtowerFollower Follower(Action<WatchtowerOptions>? configure = null)
    {
        var options = new WatchtowerOptions
        {
            ChainId = 31337,
            Contract = _chain.Contract.ToString(),
            Confirmations = 2,
            MaxBlockRange = 100,
            RecentBlocks = 8,
            SafetyMargin = TimeSpan.FromMinutes(10),
        };
        configure?.Invoke(options);
        return new WatchtowerFollower(_store, _chain, options, _time, _meter.Metrics, _log);
    }

    private ChannelClosingEvent Closing(ChannelParameters channel, ulong deadline) =>
        new(channel.Id, channel.Payer, channel.Payee, channel.Token, channel.Payer, deadline);

    // ------------------------------------------------------------------ scanning

    [Fact]
    public async Task FirstPoll_NoStartBlock_StartsAtTheConfirmedHeadAndCheckpointsIt()
    {
        _chain.MineTo(50);

        var result = await Follower().PollOnceAsync();

        result.BlocksScanned.ShouldBe(1UL);
        result.Reorged.ShouldBeFalse();
        result.Checkpoint.ShouldBe(_chain.Block(48).Mark);
        _chain.Ranges.ShouldBe([(48UL, 48UL)]);
        (await _store.GetCheckpointAsync())!.Head.ShouldBe(_chain.Block(48).Mark);
    }

    [Fact]
    public async Task HeadBelowConfirmations_ReadsNothing_NoCheckpoint()
    {
        _chain.MineTo(1);

        var result = await Follower().PollOnceAsync();

        result.BlocksScanned.ShouldBe(0UL);
        result.Checkpoint.ShouldBeNull();
        _chain.Ranges.ShouldBeEmpty();
        (await _store.GetCheckpointAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task HeadExactlyAtConfirmations_ReadsBlockZero()
    {
        _chain.MineTo(2);

        var result = await Follower(o => o.StartBlock = 0).PollOnceAsync();

        result.BlocksScanned.ShouldBe(1UL);
        _chain.Ranges.ShouldBe([(0UL, 0UL)]);
    }

    [Fact]
    public async Task CatchUp_ReadsInRangesOfMaxBlockRange_CheckpointAfterEachRange()
    {
        _chain.MineTo(255);

        var result = await Follower(o => o.StartBlock = 0).PollOnceAsync();

        // Target 253: ranges of 100 blocks, the last one short.
        _chain.Ranges.ShouldBe([(0UL, 99UL), (100UL, 199UL), (200UL, 253UL)]);
        result.BlocksScanned.ShouldBe(254UL);
        result.Checkpoint.ShouldBe(_chain.Block(253).Mark);
        _store.Writes.ShouldBe(["checkpoint 99", "checkpoint 199", "checkpoint 253"]);
        _meter.ShouldCount("watchtower.blocks.scanned", "blocksScanned", 254);
        _meter.ShouldCount("watchtower.reorgs", "reorgs", 0);
    }

    [Fact]
    public async Task CatchUp_RangeEqualToMaxBlockRange_OneRead()
    {
        _chain.MineTo(101);

        await Follower(o => o.StartBlock = 0).PollOnceAsync();

        _chain.Ranges.ShouldBe([(0UL, 99UL)]);
    }

    [Fact]
    public async Task SecondPoll_ContinuesAfterTheCheckpoint_NothingNew_ReadsNothing()
    {
        _chain.MineTo(20);
        var follower = Follower(o => o.StartBlock = 10);
        await follower.PollOnceAsync();
        _chain.Ranges.Clear();

        var idle = await follower.PollOnceAsync();
        idle.BlocksScanned.ShouldBe(0UL);
        idle.Checkpoint.ShouldBe(_chain.Block(18).Mark);
        _chain.Ranges.ShouldBeEmpty();

        _chain.MineTo(25);
        var next = await follower.PollOnceAsync();
        _chain.Ranges.ShouldBe([(19UL, 23UL)]);
        next.BlocksScanned.ShouldBe(5UL);
    }

    [Fact]
    public async Task RangeEndBlockNotServed_StopsWithoutMovingTheCheckpoint()
    {
        _chain.MineTo(30);
        _chain.BlocksMissingFrom = 20;

        var result = await Follower(o => { o.StartBlock = 0; o.MaxBlockRange = 10; }).PollOnceAsync();

        _chain.Ranges.ShouldBe([(0UL, 9UL), (10UL, 19UL), (20UL, 28UL)]);
        result.BlocksScanned.ShouldBe(20UL);
        result.Checkpoint.ShouldBe(_chain.Block(19).Mark);
        (await _store.GetCheckpointAsync())!.Head.Number.ShouldBe(19UL);
    }

    [Fact]
    public async Task ClosingEvent_OfDelegatedChannel_RecordsItsDeadline_OthersAndRemovedIgnored()
    {
        var guarded = Channel(1);
        var other = Channel(2);
        var reorged = Channel(3);
        await _store.SaveDelegationAsync(Held(guarded, 900));
        await _store.SaveDelegationAsync(Held(reorged, 500));
        _chain.MineTo(40);
        _chain.AddEvent(12, Closing(guarded, 9_999));
        _chain.AddEvent(13, Closing(other, 8_888));
        _chain.AddEvent(14, Closing(reorged, 7_777) with { Removed = true });
        _chain.States[guarded.Id] = new ChannelState(true, 1000, 0, 0, 0, 0); // the duties pass reads the state afterwards
        _chain.States[reorged.Id] = new ChannelState(true, 1000, 0, 0, 0, 0);

        await Follower(o => o.StartBlock = 10).PollOnceAsync();

        _store.Writes.ShouldContain($"deadline {guarded.Id} 9999");
        _store.Writes.ShouldNotContain(w => w.Contains(other.Id.ToString(), StringComparison.Ordinal) && w.StartsWith("deadline", StringComparison.Ordinal) && w.EndsWith("8888", StringComparison.Ordinal));
        _store.Writes.ShouldNotContain($"deadline {reorged.Id} 7777");
        (await _store.GetDelegationAsync(other.Id)).ShouldBeNull();
        (await _store.GetDelegationAsync(reorged.Id))!.CloseDeadline.ShouldBeNull();
    }

    // ------------------------------------------------------------------ reorgs

    [Fact]
    public async Task Reorg_CheckpointReplaced_RewindsToNewestCanonicalRecentBlock_AndReReadsAfterIt()
    {
        _chain.MineTo(12);
        var follower = Follower(o => { o.StartBlock = 0; o.MaxBlockRange = 2; });
        await follower.PollOnceAsync(); // checkpoints 1, 3, 5, 7, 9, 10
        _chain.Reorg(8, fork: 1);        // blocks 8.. replaced: 7 is the newest kept block still canonical
        _chain.MineTo(14);
        _chain.Ranges.Clear();
        _store.Writes.Clear();

        var result = await follower.PollOnceAsync();

        result.Reorged.ShouldBeTrue();
        _store.Writes[0].ShouldBe("rewind 7");
        _chain.Ranges[0].ShouldBe((8UL, 9UL));
        result.Checkpoint.ShouldBe(_chain.Block(12).Mark);
        (await _store.ListAlertsAsync()).ShouldBeEmpty();
        _meter.ShouldCount("watchtower.reorgs", "reorgs", 1);
        _meter.ShouldCount("watchtower.alerts", "alerts", 0);
    }

    [Fact]
    public async Task Reorg_BelowEveryKeptBlock_ForgetsThem_RaisesDeepReorg_ReReadsFromBelowTheOldest()
    {
        _chain.MineTo(40);
        var follower = Follower(o => { o.StartBlock = 21; o.MaxBlockRange = 2; o.RecentBlocks = 3; });
        await follower.PollOnceAsync(); // checkpoints 22, 24, ..., 36, 38; kept: 38, 36, 34
        _chain.Reorg(30, fork: 1);
        _chain.Ranges.Clear();
        _store.Writes.Clear();

        var result = await follower.PollOnceAsync();

        result.Reorged.ShouldBeTrue();
        _store.Writes[0].ShouldBe("rewind all");
        _chain.Ranges[0].From.ShouldBe(31UL); // oldest kept (34) − RecentBlocks (3)
        var alert = (await _store.ListAlertsAsync()).ShouldHaveSingleItem();
        alert.Kind.ShouldBe(WatchtowerAlertKind.DeepReorg);
        alert.Detail.ShouldContain("re-reading from block 31");
        alert.RaisedAt.ShouldBe(_time.GetUtcNow());
        _meter.ShouldCount("watchtower.reorgs", "reorgs", 1);
        _meter.ShouldCount("watchtower.alerts/kind=DeepReorg", "alerts", 1);
    }

    [Fact]
    public async Task Reorg_ClosingEventOnTheLostBranch_CloseForgottenWhenTheStateIsOpenAgain()
    {
        var guarded = Channel(1);
        await _store.SaveDelegationAsync(Held(guarded, 900));
        _chain.MineTo(10);
        var follower = Follower(o => { o.StartBlock = 0; o.Confirmations = 0; });
        _chain.AddEvent(10, Closing(guarded, 5_000));
        _chain.States[guarded.Id] = new ChannelState(true, 1000, 900, 0, 0, 5_000); // already covered: nothing to send
        await follower.PollOnceAsync();
        (await _store.GetDelegationAsync(guarded.Id))!.CloseDeadline.ShouldBe(5_000UL);

        _chain.Reorg(10, fork: 1);
        _chain.States[guarded.Id] = new ChannelState(true, 1000, 0, 0, 0, 0);
        await follower.PollOnceAsync();

        (await _store.GetDelegationAsync(guarded.Id))!.CloseDeadline.ShouldBeNull();
        _chain.Sent.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ duties

    private async Task<ChannelParameters> ClosingChannelAsync(BigInteger held, BigInteger redeemed, ulong secondsLeft, ulong nonce = 1)
    {
        var channel = Channel(nonce);
        _chain.MineTo(Math.Max(_chain.Head, 20));
        var deadline = _chain.Block(_chain.Head).Timestamp + secondsLeft;
        await _store.SaveDelegationAsync(Held(channel, held, deadline));
        _chain.States[channel.Id] = new ChannelState(true, 1000, redeemed, 0, 0, deadline);
        return channel;
    }

    [Fact]
    public async Task Closing_BelowHeld_WindowOpen_RedeemsTheHeldVoucher_StoredBeforeBroadcast()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 3_600);

        var result = await Follower().PollOnceAsync();

        result.Sent.ShouldBe(1);
        result.Resent.ShouldBe(0);
        _chain.Sent.ShouldBe([(DisputeKind.Redeem, channel.Id, new BigInteger(900), true)]);
        var record = (await _store.GetDisputeAsync(channel.Id, DisputeKind.Redeem))!;
        record.Amount.ShouldBe(new BigInteger(900));
        record.Attempts.ShouldBe(1);
        record.SubmittedAt.ShouldBe(_time.GetUtcNow());
        (await _store.ListAlertsAsync()).ShouldBeEmpty(); // an hour left is more than the 10-minute margin
        _meter.ShouldCount("watchtower.disputes.submitted", "disputesSubmitted", 1);
        _meter.ShouldCount("watchtower.settles.submitted", "settlesSubmitted", 0);
        _meter.ShouldCount("watchtower.alerts", "alerts", 0);
    }

    [Fact]
    public async Task Closing_LessTimeLeftThanTheMargin_StillRedeems_AndRaisesLateDispute()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 0, secondsLeft: 599);

        await Follower().PollOnceAsync();

        _chain.Sent.ShouldHaveSingleItem().Kind.ShouldBe(DisputeKind.Redeem);
        var alert = (await _store.ListAlertsAsync()).ShouldHaveSingleItem();
        alert.Kind.ShouldBe(WatchtowerAlertKind.LateDispute);
        alert.ChannelId.ShouldBe(channel.Id);
        alert.Amount.ShouldBe(new BigInteger(900));
        alert.Detail.ShouldContain("599 s left");
        _meter.ShouldCount("watchtower.alerts/kind=LateDispute", "alerts", 1);
    }

    [Fact]
    public async Task Closing_ExactlyTheMarginLeft_NoLateAlert()
    {
        await ClosingChannelAsync(held: 900, redeemed: 0, secondsLeft: 600);

        await Follower().PollOnceAsync();

        _chain.Sent.ShouldHaveSingleItem();
        (await _store.ListAlertsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Closing_OwnRedeemPending_NothingSentAgain()
    {
        await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 3_600);
        var follower = Follower();
        await follower.PollOnceAsync();

        var second = await follower.PollOnceAsync();

        second.Sent.ShouldBe(0);
        second.Resent.ShouldBe(0);
        _chain.Sent.Count.ShouldBe(1);
        _chain.Rebroadcasts.ShouldBeEmpty();
    }

    [Fact]
    public async Task Closing_OwnRedeemLostByTheNode_SameBytesSentAgain()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 3_600);
        var follower = Follower();
        await follower.PollOnceAsync();
        var stored = (await _store.GetDisputeAsync(channel.Id, DisputeKind.Redeem))!;
        _chain.Statuses.Clear(); // the node forgot it

        var second = await follower.PollOnceAsync();

        second.Resent.ShouldBe(1);
        second.Sent.ShouldBe(0);
        _chain.Rebroadcasts.ShouldHaveSingleItem().Raw.ToArray().ShouldBe(stored.RawTransaction.ToArray());
        _chain.Sent.Count.ShouldBe(1);
        _meter.ShouldCount("watchtower.disputes.resent", "disputesResent", 1);
        _meter.ShouldCount("watchtower.disputes.submitted", "disputesSubmitted", 1);
    }

    [Fact]
    public async Task Closing_OwnRedeemLost_AndRebroadcastRefused_SignsANewOne_AttemptTwo()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 3_600);
        var follower = Follower();
        await follower.PollOnceAsync();
        _chain.Statuses.Clear();
        _chain.RebroadcastAccepted = false;

        var second = await follower.PollOnceAsync();

        second.Sent.ShouldBe(1);
        second.Resent.ShouldBe(0);
        _chain.Sent.Count.ShouldBe(2);
        (await _store.GetDisputeAsync(channel.Id, DisputeKind.Redeem))!.Attempts.ShouldBe(2);
        _meter.ShouldCount("watchtower.disputes.resent", "disputesResent", 0);
        _meter.ShouldCount("watchtower.disputes.submitted", "disputesSubmitted", 2);
    }

    [Fact]
    public async Task Closing_WindowOver_BelowHeld_MissedDisputeAlert_OnceOnly_NothingSent()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 0);
        var follower = Follower();

        await follower.PollOnceAsync();
        await follower.PollOnceAsync();

        _chain.Sent.ShouldBeEmpty();
        var alert = (await _store.ListAlertsAsync()).ShouldHaveSingleItem();
        alert.Kind.ShouldBe(WatchtowerAlertKind.MissedDispute);
        alert.ChannelId.ShouldBe(channel.Id);
        alert.Amount.ShouldBe(new BigInteger(900));
        alert.Detail.ShouldContain("500 redeemed");
        _meter.ShouldCount("watchtower.alerts/kind=MissedDispute", "alerts", 1); // the second poll's repeat is not counted
    }

    [Fact]
    public async Task Covered_WindowOver_SettlesOnlyWhenConfigured()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 900, secondsLeft: 0);

        var without = await Follower().PollOnceAsync();
        without.Sent.ShouldBe(0);
        _chain.Sent.ShouldBeEmpty();

        var with = await Follower(o => o.SettleAfterDeadline = true).PollOnceAsync();
        with.Sent.ShouldBe(1);
        _chain.Sent.ShouldBe([(DisputeKind.Settle, channel.Id, BigInteger.Zero, true)]);
        (await _store.GetDisputeAsync(channel.Id, DisputeKind.Settle))!.Amount.ShouldBe(BigInteger.Zero);
        _meter.ShouldCount("watchtower.settles.submitted", "settlesSubmitted", 1);
        _meter.ShouldCount("watchtower.disputes.submitted", "disputesSubmitted", 0);
    }

    [Fact]
    public async Task Covered_WindowOver_OwnSettlePending_NotSentTwice_RedeemRecordIgnored()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 500, secondsLeft: 3_600);
        var follower = Follower(o => o.SettleAfterDeadline = true);
        (await follower.PollOnceAsync()).Sent.ShouldBe(1); // the redeem

        // The redeem landed and the window ended: the settle follows, once, while it is pending.
        var deadline = _chain.Block(_chain.Head).Timestamp;
        _chain.States[channel.Id] = new ChannelState(true, 1000, 900, 0, 0, deadline);
        (await follower.PollOnceAsync()).Sent.ShouldBe(1);
        var third = await follower.PollOnceAsync();

        third.Sent.ShouldBe(0);
        third.Resent.ShouldBe(0);
        _chain.Sent.Select(s => s.Kind).ShouldBe([DisputeKind.Redeem, DisputeKind.Settle]);
    }

    [Fact]
    public async Task Settled_ChannelFinished_NoLongerGuarded()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 900, secondsLeft: 100);
        _chain.States.Remove(channel.Id); // settled: all zero

        await Follower().PollOnceAsync();

        (await _store.GetDelegationAsync(channel.Id))!.Finished.ShouldBeTrue();
        (await _store.ListActiveDelegationsAsync()).ShouldBeEmpty();
        _chain.Sent.ShouldBeEmpty();
        _store.Writes.Where(w => w.StartsWith("deadline", StringComparison.Ordinal)).ShouldBeEmpty(); // the zero deadline of a settled state is not stored
    }

    [Fact]
    public async Task StateDeadlineDiffersFromTheStoredOne_StoredDeadlineFollowsTheChain()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 900, secondsLeft: 100);
        var chainDeadline = _chain.States[channel.Id].CloseDeadline + 50;
        _chain.States[channel.Id] = _chain.States[channel.Id] with { CloseDeadline = chainDeadline };

        await Follower().PollOnceAsync();

        (await _store.GetDelegationAsync(channel.Id))!.CloseDeadline.ShouldBe(chainDeadline);
    }

    [Fact]
    public async Task DutyFails_DisputeRefusedAlert_OtherChannelsStillServed()
    {
        var failing = await ClosingChannelAsync(held: 900, redeemed: 0, secondsLeft: 3_600, nonce: 1);
        var fine = await ClosingChannelAsync(held: 700, redeemed: 0, secondsLeft: 3_600, nonce: 2);
        _chain.StateFailures[failing.Id] = new ChannelContractRevertException("channelState reverted");

        var result = await Follower().PollOnceAsync();

        result.Sent.ShouldBe(1);
        _chain.Sent.ShouldBe([(DisputeKind.Redeem, fine.Id, new BigInteger(700), true)]);
        var alert = (await _store.ListAlertsAsync()).ShouldHaveSingleItem();
        alert.Kind.ShouldBe(WatchtowerAlertKind.DisputeRefused);
        alert.ChannelId.ShouldBe(failing.Id);
        alert.Amount.ShouldBe(new BigInteger(900));
        alert.Deadline.ShouldBe((await _store.GetDelegationAsync(failing.Id))!.CloseDeadline!.Value);
        alert.Detail.ShouldContain(nameof(ChannelContractRevertException));
        _meter.ShouldCount("watchtower.alerts/kind=DisputeRefused", "alerts", 1);
    }

    [Fact]
    public async Task DutyThrowsSomethingElse_ThePollFails()
    {
        var channel = await ClosingChannelAsync(held: 900, redeemed: 0, secondsLeft: 3_600);
        _chain.StateFailures[channel.Id] = new InvalidOperationException("bug");

        await Should.ThrowAsync<InvalidOperationException>(() => Follower().PollOnceAsync());
        (await _store.ListAlertsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task NoClosingDelegation_NoStateRead_NothingSent()
    {
        var channel = Channel(1);
        await _store.SaveDelegationAsync(Held(channel, 900));
        _chain.MineTo(30);
        _chain.StateFailures[channel.Id] = new InvalidOperationException("must not be read while open");

        var result = await Follower().PollOnceAsync();

        result.Sent.ShouldBe(0);
        _chain.Sent.ShouldBeEmpty();
        _chain.HeadReads.ShouldBe(1); // the scan's; with nothing closing the duties pass asks the node nothing
    }

    [Fact]
    public async Task RunAsync_FailedPollIsRetriedAfterTheInterval_StopsOnCancel()
    {
        _chain.MineTo(30);
        var channel = await ClosingChannelAsync(held: 900, redeemed: 0, secondsLeft: 3_600);
        _chain.StateFailures[channel.Id] = new InvalidOperationException("node glitch");
        var follower = Follower(o => o.PollInterval = TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource();

        var run = follower.RunAsync(cts.Token);
        await WaitUntilAsync(() => _chain.StateReads >= 1);
        _chain.Sent.ShouldBeEmpty();

        // The next poll waits for the interval on the injected clock (advanced until it has run).
        _chain.StateFailures.Clear();
        for (var i = 0; i < 500 && _chain.Sent.Count == 0; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(10);
        }

        _chain.StateReads.ShouldBeGreaterThanOrEqualTo(2);

        await cts.CancelAsync();
        await run; // returns, does not throw
        _chain.Sent.ShouldHaveSingleItem().Channel.ShouldBe(channel.Id);
        var failed = _log.Entries.First(e => e.EventId.Id == 2410);
        failed.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        failed.Exception.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("node glitch");
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var options = new WatchtowerOptions { ChainId = 31337, Contract = _chain.Contract.ToString() };
        Should.Throw<ArgumentNullException>(() => new WatchtowerFollower(null!, _chain, options)).ParamName.ShouldBe("store");
        Should.Throw<ArgumentNullException>(() => new WatchtowerFollower(_store, null!, options)).ParamName.ShouldBe("chain");
        Should.Throw<ArgumentNullException>(() => new WatchtowerFollower(_store, _chain, null!)).ParamName.ShouldBe("options");
    }

    [Fact]
    public async Task Metrics_PollsCountIntoTheGivenMetrics_FromTheGivenMeterFactory()
    {
        _chain.MineTo(30);

        await Follower(o => o.StartBlock = 20).PollOnceAsync();

        _meter.MeterNames.ShouldBe([WatchtowerMetrics.MeterName]);
        _meter.Keys.ShouldBe(["watchtower.blocks.scanned"]);
        _meter.ShouldCount("watchtower.blocks.scanned", "blocksScanned", 9);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().ShouldBeTrue();
    }
}

using System.Numerics;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Tests.Watchtower;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tests.Payee.Chain;

public sealed class PayeeChainFollowerTests : IAsyncDisposable
{
    private readonly PayeeWorld _world = new();
    private readonly FakePayeeChainNode _node = new();
    private readonly CapturingLogger<PayeeChainFollower> _logger = new();
    private PayeeEngine? _engine;

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        _node.Dispose();
        _world.Dispose();
    }

    // The engine holds the world's channel (deposit 1,000,000 from the static source); the chain opened it in block 1.
    private async Task<PayeeChainFollower> StartAsync(int confirmations = 2, bool track = true)
    {
        _engine = await _world.StartEngineAsync();
        if (track)
        {
            (await _engine.TrackAsync(_world.Key)).ShouldBeTrue();
        }

        _node.Open(_world.Parameters, 1, PayeeWorld.Deposit);
        var source = new ChainChannelViewSource(_node.Contract, _node.Rpc, PayeeWorld.ChainId, confirmations);
        return new PayeeChainFollower(_engine, _node.Contract, source, _world.Clock, _logger);
    }

    private ChannelState State(BigInteger deposit, ulong deadline = 0) => new(true, deposit, 0, 0, 0, deadline);

    [Fact]
    public async Task Poll_ChainShorterThanConfirmations_NothingAndNoHeight()
    {
        var follower = await StartAsync(confirmations: 3);
        _node.Head = 2;

        (await follower.PollOnceAsync()).ShouldBe(0);

        follower.LastHeight.ShouldBeNull();
        _node.Count("eth_getLogs").ShouldBe(0);
    }

    [Fact]
    public async Task Poll_First_RefreshesEveryHeldChannelAtTheConfirmedHeight()
    {
        var follower = await StartAsync();
        _node.SetState(_world.Parameters.Id, 5, State(3_000_000));
        _node.SetState(_world.Parameters.Id, 9, State(9_000_000)); // not confirmed at head 10
        _node.Head = 10;

        (await follower.PollOnceAsync()).ShouldBe(1);

        follower.LastHeight.ShouldBe(8UL);
        _engine!.GetView(_world.Key)!.PayerDeposit.ShouldBe(3_000_000);
        (await _world.Store.GetChannelAsync(_world.Key))!.BlockNumber.ShouldBe(8UL);
        var refreshed = _logger.Entries.ShouldHaveSingleItem();
        refreshed.EventId.Id.ShouldBe(2202);
        refreshed.Message.ShouldBe("Refreshed 1 channel views at confirmed block 8");
    }

    [Fact]
    public async Task Poll_FirstWithNothingHeld_NoRefreshNoLog()
    {
        var follower = await StartAsync(track: false);
        _node.Head = 10;

        (await follower.PollOnceAsync()).ShouldBe(0);

        follower.LastHeight.ShouldBe(8UL);
        _logger.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task Poll_NoNewConfirmedBlock_ReadsNoEvents()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        await follower.PollOnceAsync();

        (await follower.PollOnceAsync()).ShouldBe(0);
        _node.Head = 9; // a node behind the one asked before
        (await follower.PollOnceAsync()).ShouldBe(0);

        follower.LastHeight.ShouldBe(8UL);
        _node.Count("eth_getLogs").ShouldBe(1); // the opened event, read once by the first refresh
    }

    [Fact]
    public async Task Poll_TopUpInTheNewRange_AppliedWithoutRestart()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        await follower.PollOnceAsync();
        _node.TopUp(_world.Parameters, 11, 500_000, State(1_500_000));
        _node.Head = 13;

        (await follower.PollOnceAsync()).ShouldBe(1);

        follower.LastHeight.ShouldBe(11UL);
        _engine!.GetView(_world.Key)!.PayerDeposit.ShouldBe(1_500_000);
        var range = _node.Requests.Last(r => r.Method == "eth_getLogs").Params;
        range.ShouldContain("\"fromBlock\":\"0x9\"");
        range.ShouldContain("\"toBlock\":\"0xb\"");
    }

    [Fact]
    public async Task Poll_EventsOfChannelsNotHeld_NotRead()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        await follower.PollOnceAsync();
        var other = _world.Parameters with { Nonce = 2 };
        _node.Open(other, 9, 10);
        _node.TopUp(other, 10, 5, State(15));
        _node.Head = 12;
        var calls = _node.Count("eth_call");

        (await follower.PollOnceAsync()).ShouldBe(0);

        follower.LastHeight.ShouldBe(10UL);
        _node.Count("eth_call").ShouldBe(calls);
    }

    public static TheoryData<string> TouchingEvents() => new() { "opened", "toppedUp", "redeemed", "batchRedeemed", "closing", "settled", "payoutDeferred" };

    [Theory]
    [MemberData(nameof(TouchingEvents))]
    public async Task Poll_EveryEventOfAHeldChannel_RefreshesIt(string kind)
    {
        var follower = await StartAsync();
        _node.Head = 10;
        await follower.PollOnceAsync();
        var p = _world.Parameters;
        byte[][] parties = [p.Id.Bytes.ToArray(), FakePayeeChainNode.Word(p.Payer), FakePayeeChainNode.Word(p.Payee)];
        var token = p.Token.ToString();
        _node.AddLog(kind switch
        {
            "opened" => FakePayeeChainNode.Log<ChannelOpenedEventDto>(11, parties, token, p.Payer.ToString(), p.ChallengePeriodSeconds, p.Nonce, (BigInteger)1),
            "toppedUp" => FakePayeeChainNode.Log<ChannelToppedUpEventDto>(11, parties, token, p.Payer.ToString(), false, (BigInteger)1, (BigInteger)2),
            "redeemed" => FakePayeeChainNode.Log<VoucherRedeemedEventDto>(11, parties, token, true, (BigInteger)1, (BigInteger)1),
            "batchRedeemed" => FakePayeeChainNode.Log<BatchRedeemedEventDto>(
                11,
                [FakePayeeChainNode.Word(p.Payee), FakePayeeChainNode.Word(p.Token)],
                p.ChallengePeriodSeconds,
                (byte[])[.. p.Payer.Bytes, 0, 0, 0, 0, (byte)p.Nonce, .. new byte[11], 9]),
            "closing" => FakePayeeChainNode.Log<ChannelClosingEventDto>(11, parties, token, p.Payee.ToString(), (BigInteger)1_800_003_600),
            "settled" => FakePayeeChainNode.Log<ChannelSettledEventDto>(11, parties, token, false, (BigInteger)1, (BigInteger)2),
            _ => FakePayeeChainNode.Log<PayoutDeferredEventDto>(11, [p.Id.Bytes.ToArray(), FakePayeeChainNode.Word(p.Payee), FakePayeeChainNode.Word(p.Token)], (BigInteger)3),
        });
        _node.SetState(p.Id, 11, State(2_222_222, deadline: 1_800_003_600));
        _node.Head = 13;

        (await follower.PollOnceAsync()).ShouldBe(1);

        var view = _engine!.GetView(_world.Key)!;
        view.PayerDeposit.ShouldBe(2_222_222);
        view.CloseDeadline.ShouldBe(1_800_003_600UL);
    }

    [Fact]
    public async Task Poll_OtherEventsInRange_NoRefresh()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        await follower.PollOnceAsync();
        var p = _world.Parameters;
        _node.AddLog(FakePayeeChainNode.Log<OwedWithdrawnEventDto>(11, [FakePayeeChainNode.Word(p.Payee), FakePayeeChainNode.Word(p.Token)], p.Payee.ToString(), (BigInteger)3));
        _node.AddLog(FakePayeeChainNode.Log<BatchItemSkippedEventDto>(11, [p.Id.Bytes.ToArray()], (BigInteger)900, (BigInteger)1));
        _node.Head = 13;

        (await follower.PollOnceAsync()).ShouldBe(0);

        follower.LastHeight.ShouldBe(11UL);
    }

    [Fact]
    public async Task Poll_ChannelHeldSinceThePreviousPoll_RefreshedOnceWithoutAnEvent()
    {
        var follower = await StartAsync(track: false);
        _node.Head = 10;
        (await follower.PollOnceAsync()).ShouldBe(0);
        // A top-up in block 8 (covered by the first poll, which did not hold the channel yet) and the engine's view from
        // the static source (1,000,000).
        _node.SetState(_world.Parameters.Id, 8, State(4_000_000));
        (await _engine!.TrackAsync(_world.Key)).ShouldBeTrue();
        _node.Head = 11;

        (await follower.PollOnceAsync()).ShouldBe(1);
        _engine.GetView(_world.Key)!.PayerDeposit.ShouldBe(4_000_000);
        _node.Head = 12;
        (await follower.PollOnceAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Poll_HeldChannelNeverOpenedOnThisChain_CountedButNotApplied()
    {
        var follower = await StartAsync();
        _node.SetState(_world.Parameters.Id, 0, State(7));
        var node = new FakePayeeChainNode { Head = 10 }; // an empty chain
        using var _ = node;
        var empty = new PayeeChainFollower(_engine!, node.Contract, new ChainChannelViewSource(node.Contract, node.Rpc, PayeeWorld.ChainId, 0));

        (await empty.PollOnceAsync()).ShouldBe(1);

        _engine!.GetView(_world.Key)!.PayerDeposit.ShouldBe(PayeeWorld.Deposit);
        follower.LastHeight.ShouldBeNull();
    }

    [Fact]
    public async Task Run_FailedPollLoggedAndRetriedAfterTheInterval_StopsWhenCancelled()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        _node.FailNext = "eth_blockNumber";
        var polls = 0;
        var secondPoll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.OnRequest = method =>
        {
            if (method == "eth_blockNumber" && Interlocked.Increment(ref polls) == 2)
            {
                secondPoll.TrySetResult();
            }
        };
        using var cts = new CancellationTokenSource();

        // An hour: only the injected clock, not the wall clock, can let the retry start within the test.
        var run = follower.RunAsync(TimeSpan.FromHours(1), cts.Token);
        // The retry waits for the clock: advance it until the second poll starts (the delay may not be armed yet).
        for (var i = 0; i < 1_000 && !secondPoll.Task.IsCompleted; i++)
        {
            _world.Clock.Advance(TimeSpan.FromHours(1));
            await Task.WhenAny(secondPoll.Task, Task.Delay(10));
        }

        secondPoll.Task.IsCompleted.ShouldBeTrue();
        for (var i = 0; i < 1_000 && follower.LastHeight is null; i++)
        {
            await Task.Delay(10);
        }

        follower.LastHeight.ShouldBe(8UL);
        await cts.CancelAsync();
        await run;
        var warning = _logger.Entries.First();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.EventId.Id.ShouldBe(2201);
        warning.Message.ShouldBe("Reading confirmed channel events failed; retrying at the next poll");
        warning.Exception.ShouldBeOfType<JsonRpcServerException>();
    }

    [Fact]
    public async Task Run_CancelledDuringAPoll_ReturnsWithoutAWarning()
    {
        var follower = await StartAsync();
        _node.Head = 10;
        using var cts = new CancellationTokenSource();
        _node.OnRequest = _ => cts.Cancel();

        await follower.RunAsync(TimeSpan.FromSeconds(1), cts.Token);

        _logger.Entries.ShouldBeEmpty();
        follower.LastHeight.ShouldBeNull();
    }

    [Fact]
    public async Task Run_AlreadyCancelled_ReturnsWithoutPolling()
    {
        var follower = await StartAsync();

        await follower.RunAsync(TimeSpan.FromSeconds(1), new CancellationToken(canceled: true));

        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Constructor_Nulls_Refused()
    {
        await using var engine = await _world.StartEngineAsync();
        var source = new ChainChannelViewSource(_node.Contract, _node.Rpc, 1, 0);
        Should.Throw<ArgumentNullException>(() => new PayeeChainFollower(null!, _node.Contract, source)).ParamName.ShouldBe("engine");
        Should.Throw<ArgumentNullException>(() => new PayeeChainFollower(engine, null!, source)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new PayeeChainFollower(engine, _node.Contract, null!)).ParamName.ShouldBe("source");
        new PayeeChainFollower(engine, _node.Contract, source).LastHeight.ShouldBeNull();
    }

}

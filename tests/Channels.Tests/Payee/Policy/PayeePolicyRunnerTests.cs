using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Tests.Payee.Chain;
using Settlement.Channels.Tests.Watchtower;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PayeePolicyRunnerTests : IDisposable
{
    private static readonly Address TokenB = Address.Parse("0x00000000000000000000000000000000000000bb");
    private readonly PrivateKey _payer = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
    private readonly FakePayeeChainNode _chain = new() { Head = 20 };
    private readonly ScriptedPayeeNode _node;
    private readonly InMemoryVoucherStore _store = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger<PayeePolicyRunner> _logger = new();
    private readonly PayeePolicyRunner _runner;

    public PayeePolicyRunnerTests()
    {
        _node = new ScriptedPayeeNode(_payee.Address);
        var reader = new PolicySnapshotReader(_store, new ChainChannelViewSource(_chain.Contract, _chain.Rpc, FakePayeeChainNode.ChainId, 0), _chain.Contract, _chain.Rpc, _clock);
        var executor = new PolicyActionExecutor(_node.Contract, _node, store: _store, time: _clock);
        var options = new PayeePolicyOptions { ExhaustedBelowBasisPoints = 0, IdleCloseAfter = null, IdleCloseGrace = null };
        _runner = new PayeePolicyRunner(reader, executor, Microsoft.Extensions.Options.Options.Create(options), _logger);
    }

    public void Dispose()
    {
        _node.Dispose();
        _chain.Dispose();
        _payer.Dispose();
        _payee.Dispose();
    }

    private async Task<ChannelParameters> ChannelAsync(ulong nonce, BigInteger deposit, BigInteger redeemed, BigInteger newest, ulong deadline = 0, Address? token = null)
    {
        var p = new ChannelParameters(_payer.Address, _payee.Address, token ?? Address.Zero, 3600, nonce);
        _chain.Open(p, 2, deposit);
        _chain.SetState(p.Id, 3, new ChannelState(true, deposit, redeemed, 0, 0, deadline));
        var key = new ChannelKey(FakePayeeChainNode.ChainId, FakePayeeChainNode.ContractAddress, p.Id);
        var signature = ChannelTypedData.ForContract(FakePayeeChainNode.ChainId, FakePayeeChainNode.ContractAddress).SignVoucher(_payer, p.Id.Bytes, newest);
        await _store.SaveNewestAsync([new StoredVoucher(key, _payer.Address, newest, signature.ToRsv(), _clock.GetUtcNow())]);
        return p;
    }

    [Fact]
    public async Task RunOnce_PlansFromTheChainAndExecutes()
    {
        var now = FakePayeeChainNode.TimestampOf(20);
        var closed = await ChannelAsync(1, 1_000, 400, 400, deadline: now - 1); // deadline passed: settle
        await ChannelAsync(2, 1_000, 0, 100); // no rule fires: nothing
        _node.Mine("settle", 45_000);

        var run = await _runner.RunOnceAsync();

        run.Snapshot.Channels.Count.ShouldBe(2);
        run.Snapshot.ChainTime.ShouldBe(now);
        var settle = run.Plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<SettleAction>();
        settle.Channel.View.Parameters.ShouldBe(closed);
        var result = run.Results.ShouldHaveSingleItem();
        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("settled");
        _node.Sent.Select(s => s.Function).ShouldBe(["settle"]);
        var log = _logger.Entries.ShouldHaveSingleItem();
        log.Level.ShouldBe(LogLevel.Debug);
        log.EventId.Id.ShouldBe(2303);
        log.Message.ShouldBe("Policy run: 2 channels, 1 actions, 0 deferred to the next run");
    }

    [Fact]
    public async Task RedeemBatch_DryRun_PlanOnlyNothingSent()
    {
        await ChannelAsync(1, 1_000, 0, 300);
        await ChannelAsync(2, 1_000, 0, 500, token: TokenB);

        var run = await _runner.RedeemBatchAsync(TokenB, null, dryRun: true);

        var batch = run.Plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>();
        batch.Items.ShouldHaveSingleItem().Channel.View.Parameters.Token.ShouldBe(TokenB);
        batch.EstimatedGas.ShouldBe(PayeePolicyOptions.DefaultBatchBaseGas + PayeePolicyOptions.DefaultBatchItemGas);
        run.Results.ShouldBeEmpty();
        _node.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task RedeemBatch_WithinABudget_SendsWhatFitsAndDefersTheRest()
    {
        await ChannelAsync(1, 1_000, 0, 300);
        await ChannelAsync(2, 1_000, 0, 900); // the more urgent (less credit left)
        _node.Mine("redeemBatch", 52_000);

        var run = await _runner.RedeemBatchAsync(null, PayeePolicyOptions.DefaultBatchBaseGas + PayeePolicyOptions.DefaultBatchItemGas, dryRun: false);

        var batch = run.Plan.Actions.ShouldHaveSingleItem().ShouldBeOfType<BatchRedeemAction>();
        batch.Items.ShouldHaveSingleItem().Channel.Newest!.Cumulative.ShouldBe(900);
        run.Plan.Deferred.ShouldHaveSingleItem().Channel.Newest!.Cumulative.ShouldBe(300);
        run.Results.ShouldHaveSingleItem().Detail.ShouldBe("redeemed 0 of 1");
        _node.Sent.ShouldHaveSingleItem().Function.ShouldBe("redeemBatch");
    }

    [Fact]
    public void Constructor_NullsAndBadOptions_Refused()
    {
        var reader = new PolicySnapshotReader(_store, new ChainChannelViewSource(_chain.Contract, _chain.Rpc, 1, 0), _chain.Contract, _chain.Rpc);
        var executor = new PolicyActionExecutor(_node.Contract, _node);
        var options = Microsoft.Extensions.Options.Options.Create(new PayeePolicyOptions());
        Should.Throw<ArgumentNullException>(() => new PayeePolicyRunner(null!, executor, options)).ParamName.ShouldBe("reader");
        Should.Throw<ArgumentNullException>(() => new PayeePolicyRunner(reader, null!, options)).ParamName.ShouldBe("executor");
        Should.Throw<ArgumentNullException>(() => new PayeePolicyRunner(reader, executor, null!)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentException>(() => new PayeePolicyRunner(reader, executor, Microsoft.Extensions.Options.Options.Create(new PayeePolicyOptions { Interval = TimeSpan.Zero })))
            .Message.ShouldBe("Payee:Policy:Interval must be positive; got '00:00:00'. (Parameter 'options')");
        new PayeePolicyRunner(reader, executor, options).Planner.ShouldNotBeNull();
    }
}

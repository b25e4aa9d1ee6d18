using System.Diagnostics.Metrics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Tests.Support;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PayeePolicyMetricsTests : IDisposable
{
    private readonly MeterRecorder<PayeePolicyMetrics> _meters = new(f => new PayeePolicyMetrics(f));

    public void Dispose() => _meters.Dispose();

    private static PolicyChannel Channel(ulong nonce)
    {
        var parameters = new ChannelParameters(Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"), Address.Zero, 3600, nonce);
        var key = new ChannelKey(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), parameters.Id);
        return new PolicyChannel(new PayeeChannelView(key, parameters, 100, 0, 0, 0, 0, false), null);
    }

    private static PolicyActionResult Result(PolicyAction action, PolicyOutcome outcome, ulong gas) => new(action, outcome, "", [], gas);

    private static BatchRedeemAction Batch(int items) =>
        new(Enumerable.Range(1, items).Select(i => new BatchItem(Channel((ulong)i), PolicyReason.Requested)).ToArray(), 1);

    [Fact]
    public void Instruments_NamesUnitsAndKindsOfDocsPayee()
    {
        // docs/payee.md, "Redeem and close policy": payee.policy.actions{kind,outcome}, payee.policy.batch.items, payee.policy.gas.
        _meters.MeterNames.ShouldBe(["Settlement.Payee.Policy"]);
        PayeePolicyMetrics.MeterName.ShouldBe("Settlement.Payee.Policy");
        var instruments = _meters.Instruments.ToDictionary(i => i.Name);
        instruments.Keys.Order(StringComparer.Ordinal).ShouldBe(["payee.policy.actions", "payee.policy.batch.items", "payee.policy.gas"]);
        instruments["payee.policy.actions"].ShouldBeOfType<Counter<long>>().Unit.ShouldBe("{action}");
        instruments["payee.policy.batch.items"].ShouldBeOfType<Histogram<int>>().Unit.ShouldBe("{channel}");
        instruments["payee.policy.gas"].ShouldBeOfType<Counter<long>>().Unit.ShouldBe("{gas}");
        instruments["payee.policy.actions"].Description.ShouldBe("Policy actions executed, by kind and outcome.");
        instruments["payee.policy.batch.items"].Description.ShouldBe("Channels per redeemBatch transaction sent.");
        instruments["payee.policy.gas"].Description.ShouldBe("Gas used by the policy's transactions.");
    }

    [Fact]
    public void Record_ActionsByKindAndOutcome_GasWhenUsed_BatchSizeOnlyForDoneBatches()
    {
        var c = Channel(1);
        _meters.Metrics.Record(Result(new RedeemAction(c, PolicyReason.Dispute), PolicyOutcome.Done, 50_000));
        _meters.Metrics.Record(Result(Batch(3), PolicyOutcome.Done, 72_000));
        _meters.Metrics.Record(Result(Batch(2), PolicyOutcome.Failed, 0));
        _meters.Metrics.Record(Result(Batch(4), PolicyOutcome.AlreadyDone, 1));
        _meters.Metrics.Record(Result(new CloseIdleAction(c), PolicyOutcome.AlreadyDone, 0));
        _meters.Metrics.Record(Result(new RequestCloseAction(c), PolicyOutcome.Done, 0));
        _meters.Metrics.Record(Result(new SettleAction(c), PolicyOutcome.NotYet, 0));

        _meters.Keys.ShouldBe(
        [
            "payee.policy.actions/kind=closeIdle/outcome=AlreadyDone",
            "payee.policy.actions/kind=redeem/outcome=Done",
            "payee.policy.actions/kind=redeemBatch/outcome=AlreadyDone",
            "payee.policy.actions/kind=redeemBatch/outcome=Done",
            "payee.policy.actions/kind=redeemBatch/outcome=Failed",
            "payee.policy.actions/kind=requestClose/outcome=Done",
            "payee.policy.actions/kind=settle/outcome=NotYet",
            "payee.policy.batch.items",
            "payee.policy.gas",
        ]);
        _meters.Measurements.Where(m => m.Key == "payee.policy.batch.items").Select(m => m.Value).ShouldBe([3d]);
        _meters.Measurements.Where(m => m.Key == "payee.policy.gas").Select(m => m.Value).ShouldBe([50_000d, 72_000d, 1d]);
        _meters.Total("payee.policy.actions/kind=redeemBatch/outcome=Done").ShouldBe(1);
    }

    [Fact]
    public void KindOf_EveryAction()
    {
        var c = Channel(1);
        PayeePolicyMetrics.KindOf(new RedeemAction(c, PolicyReason.Closing)).ShouldBe("redeem");
        PayeePolicyMetrics.KindOf(Batch(1)).ShouldBe("redeemBatch");
        PayeePolicyMetrics.KindOf(new CloseIdleAction(c)).ShouldBe("closeIdle");
        PayeePolicyMetrics.KindOf(new RequestCloseAction(c)).ShouldBe("requestClose");
        PayeePolicyMetrics.KindOf(new SettleAction(c)).ShouldBe("settle");
        PayeePolicyMetrics.KindOf(new OtherAction(c)).ShouldBe("unknown");
    }

    [Fact]
    public void Dispose_TheMeterStopsPublishing()
    {
        using var meters = new MeterRecorder<PayeePolicyMetrics>(f => new PayeePolicyMetrics(f));
        meters.Metrics.Dispose();

        meters.Metrics.Record(Result(new SettleAction(Channel(1)), PolicyOutcome.Done, 5));

        meters.Keys.ShouldBeEmpty();
    }

    private sealed record OtherAction(PolicyChannel Channel) : PolicyAction
    {
        public override IReadOnlyList<PolicyChannel> Channels => [Channel];
    }
}

using Settlement.Service.Flows;
using Settlement.Service.Reconciliation.Sources;
using static Settlement.Service.Tests.Reconciliation.Sources.SourceData;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>
/// Reading the flow store for reconciliation and reports (<see cref="StoredFlows"/>, <see cref="FlowOverview"/>): a flow
/// read twice counts once at its highest version, in id order; and the argument checks of the bank sources.
/// </summary>
public sealed class StoredFlowsTests
{
    private static readonly Guid A = Guid.Parse("0000000a-0000-0000-0000-000000000000");
    private static readonly Guid B = Guid.Parse("0000000b-0000-0000-0000-000000000000");
    private static readonly Guid C = Guid.Parse("0000000c-0000-0000-0000-000000000000");

    /// <summary>B (a payout), then A at version 2, C (a top-up), then A at version 1: an overlapping read, newest first.</summary>
    private static ListedFlowStore Overlapping() => new(
    [
        FlowCodec.Encode(Payout(B, 1_200, 50, version: 3)),
        FlowCodec.Encode(Topup(A, 2_500, TopupFlowState.Funded, version: 2)),
        FlowCodec.Encode(Topup(C, 700, TopupFlowState.Funded, version: 1)),
        FlowCodec.Encode(Topup(A, 2_500, TopupFlowState.AwaitingBank, version: 1)),
    ]);

    [Fact]
    public async Task LoadAsync_FlowReadTwiceOutOfOrder_HighestVersionOnceInIdOrder()
    {
        var flows = await StoredFlows.LoadAsync(Overlapping(), CancellationToken.None);

        flows.Topups.Select(t => (t.Id, t.Version, t.State)).ShouldBe([(A, 2L, TopupFlowState.Funded), (C, 1L, TopupFlowState.Funded)]);
        flows.Payouts.Select(p => (p.Id, p.Version)).ShouldBe([(B, 3L)]);
    }

    [Fact]
    public async Task FlowOverview_FlowReadTwiceOutOfOrder_HighestVersionOnceInIdOrder()
    {
        var snapshots = await FlowOverview.ListAsync(Overlapping());

        snapshots.ShouldBe(
        [
            new FlowSnapshot(A, FlowKind.Topup, "Funded", true, false, 2, null, T0.AddMinutes(2)),
            new FlowSnapshot(B, FlowKind.Payout, "Paid", true, false, 3, null, T0.AddMinutes(3)),
            new FlowSnapshot(C, FlowKind.Topup, "Funded", true, false, 1, null, T0.AddMinutes(1)),
        ]);
    }

    [Fact]
    public async Task FlowOverview_NullStore_ArgumentNullException()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => FlowOverview.ListAsync(null!))).ParamName.ShouldBe("store");
    }

    [Fact]
    public void BankSources_NullArguments_ArgumentNullException()
    {
        Should.Throw<ArgumentNullException>(() => BankOperation.From(null!)).ParamName.ShouldBe("operation");
        Should.Throw<ArgumentNullException>(() => new TransferServiceBankOperations(null!)).ParamName.ShouldBe("transfers");
    }
}

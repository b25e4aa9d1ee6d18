using Settlement.Service.Flows;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>Every stored flow, decoded, in id order (what both pairings read from the flow store); recharges are top-ups here.</summary>
internal sealed record StoredFlows(IReadOnlyList<TopupFlow> Topups, IReadOnlyList<PayoutFlow> Payouts)
{
    public static async Task<StoredFlows> LoadAsync(IFlowStore store, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(null, unfinishedOnly: false, cancellationToken).ConfigureAwait(false);

        // A flow read twice (a paged read that overlapped) counts once: the highest version is the newest state.
        var latest = stored.GroupBy(f => f.Id).Select(g => g.MaxBy(f => f.Version)!).OrderBy(f => f.Id).ToList();
        return new StoredFlows(
            latest.Where(f => f.Kind is FlowKind.Topup or FlowKind.Recharge).Select(FlowCodec.DecodeTopup).ToList(),
            latest.Where(f => f.Kind == FlowKind.Payout).Select(FlowCodec.DecodePayout).ToList());
    }
}

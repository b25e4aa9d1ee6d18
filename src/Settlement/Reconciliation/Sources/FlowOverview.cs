using Settlement.Service.Flows;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>Read-only view of the stored flows for reports (no runner, no bank or chain needed).</summary>
public static class FlowOverview
{
    /// <summary>A snapshot of every stored flow (finished or not), in id order.</summary>
    public static async Task<IReadOnlyList<FlowSnapshot>> ListAsync(IFlowStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.ListAsync(null, unfinishedOnly: false, cancellationToken).ConfigureAwait(false))
            .GroupBy(f => f.Id).Select(g => g.MaxBy(f => f.Version)!).OrderBy(f => f.Id).Select(FlowCodec.Snapshot).ToList();
    }
}

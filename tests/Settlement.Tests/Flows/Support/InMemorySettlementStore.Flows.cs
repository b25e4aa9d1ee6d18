using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows.Support;

/// <summary>
/// The flow store in memory with the stores' contract (the argument checks of <see cref="FlowStoreRules"/> the SQLite and
/// PostgreSQL stores make, insert once, update only from the stored version and kind, a transition per change, oldest
/// first; flows created at the same time stay in insertion order, where the databases order them by id) and the
/// sweeping consents. <see cref="BeforeUpdate"/> runs before an update is checked (another runner moving the flow
/// first). The flow store contract runs over it (Flows/InMemoryFlowStoreTests.cs).
/// </summary>
internal sealed partial class InMemorySettlementStore : IFlowStore, ISweepingConsentStore
{
    private readonly List<StoredFlow> _flows = [];
    private readonly List<FlowTransition> _transitions = [];
    private readonly Dictionary<string, SweepingConsent> _consents = new(StringComparer.Ordinal);

    /// <summary>Called with the update about to be made, before the version check; may write through <see cref="Put"/>.</summary>
    public Action<StoredFlow>? BeforeUpdate { get; set; }

    public int FlowInserts { get; private set; }

    public Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default)
    {
        FlowStoreRules.CheckInsert(flow, @event);
        lock (_gate)
        {
            if (_flows.Any(f => f.Id == flow.Id))
            {
                return Task.FromResult(false);
            }

            FlowInserts++;
            _flows.Add(flow);
            _transitions.Add(new FlowTransition(_transitions.Count + 1, flow.Id, flow.Version, flow.UpdatedAt, null, flow.State, @event, null));
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryUpdateAsync(StoredFlow next, string @event, string? detail, CancellationToken cancellationToken = default)
    {
        FlowStoreRules.CheckUpdate(next, @event);
        var hook = BeforeUpdate;
        BeforeUpdate = null;
        hook?.Invoke(next);
        lock (_gate)
        {
            var i = _flows.FindIndex(f => f.Id == next.Id);
            if (i < 0 || _flows[i].Version != next.Version - 1 || _flows[i].Kind != next.Kind)
            {
                return Task.FromResult(false);
            }

            var from = _flows[i].State;
            _flows[i] = next;
            _transitions.Add(new FlowTransition(_transitions.Count + 1, next.Id, next.Version, next.UpdatedAt, from, next.State, @event, detail));
            return Task.FromResult(true);
        }
    }

    public Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_flows.FirstOrDefault(f => f.Id == id));
        }
    }

    public Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredFlow>>([.. _flows
                .Where(f => (kind is null || f.Kind == kind) && !(unfinishedOnly && f.Finished))
                .OrderBy(f => f.CreatedAt)]);
        }
    }

    public Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<FlowTransition>>([.. _transitions.Where(t => t.FlowId == id)]);
        }
    }

    /// <summary>Writes a row as is (a hand-edited or foreign row; another runner's write), with no transition.</summary>
    public void Put(StoredFlow flow)
    {
        lock (_gate)
        {
            var i = _flows.FindIndex(f => f.Id == flow.Id);
            if (i < 0)
            {
                _flows.Add(flow);
            }
            else
            {
                _flows[i] = flow;
            }
        }
    }

    public Task<bool> TryInsertSweepingConsentAsync(SweepingConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        lock (_gate)
        {
            return Task.FromResult(_consents.TryAdd(consent.ConsentId, consent));
        }
    }

    public Task<SweepingConsent?> GetSweepingConsentAsync(string consentId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_consents.GetValueOrDefault(consentId));
        }
    }
}

namespace Settlement.Service.Flows;

/// <summary>
/// Where the settlement flows are persisted: one row per flow with optimistic concurrency, and an append-only table of
/// transitions written in the same transaction as each change.
/// </summary>
public interface IFlowStore
{
    /// <summary>Creates or upgrades the schema; idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts <paramref name="flow"/> (version 1) and its first transition; false when the id exists (nothing written).</summary>
    Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the flow whose stored version is <paramref name="next"/>.Version − 1 by <paramref name="next"/> and
    /// appends the transition; false when the stored version differs (another runner moved it; nothing written).
    /// </summary>
    Task<bool> TryUpdateAsync(StoredFlow next, string @event, string? detail, CancellationToken cancellationToken = default);

    /// <summary>The flow, or null.</summary>
    Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Flows of <paramref name="kind"/> (all kinds when null), only unfinished ones when asked, oldest first.</summary>
    Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default);

    /// <summary>The flow's transitions, oldest first.</summary>
    Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default);
}

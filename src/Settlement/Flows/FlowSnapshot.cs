namespace Settlement.Service.Flows;

/// <summary>A flow of either kind, as listed and reported.</summary>
/// <param name="Id">The flow.</param>
/// <param name="Kind">Top-up, recharge or payout.</param>
/// <param name="State">The state's name (<see cref="TopupFlowState"/> for a top-up or recharge, or <see cref="PayoutFlowState"/>).</param>
/// <param name="Finished">No step left.</param>
/// <param name="NeedsAttention">Ended short of its goal or returned: reported.</param>
/// <param name="Version">The stored version.</param>
/// <param name="Problem">Why it stopped short, or null.</param>
/// <param name="UpdatedAt">Last update time.</param>
public sealed record FlowSnapshot(Guid Id, FlowKind Kind, string State, bool Finished, bool NeedsAttention, long Version, FlowProblem? Problem, DateTimeOffset UpdatedAt);

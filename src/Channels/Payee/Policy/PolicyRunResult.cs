namespace Settlement.Channels.Payee.Policy;

/// <summary>One run of the policy: what was planned and what executing it did.</summary>
/// <param name="Snapshot">What the plan was made from.</param>
/// <param name="Plan">The plan.</param>
/// <param name="Results">One result per action, in order (empty for a dry run).</param>
public sealed record PolicyRunResult(PolicySnapshot Snapshot, PolicyPlan Plan, IReadOnlyList<PolicyActionResult> Results);

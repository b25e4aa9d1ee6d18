namespace Settlement.Channels.Payee.Policy;

/// <summary>What the planner decided.</summary>
/// <param name="Actions">The transactions to send, most urgent first (disputes, settles, closes, then batches).</param>
/// <param name="Deferred">Channels worth redeeming that did not fit a batch's gas budget: the next run takes them.</param>
public sealed record PolicyPlan(IReadOnlyList<PolicyAction> Actions, IReadOnlyList<BatchItem> Deferred);

namespace Settlement.Service.Flows;

/// <summary>One row of a flow's append-only audit trail.</summary>
/// <param name="Seq">Order of all transitions.</param>
/// <param name="FlowId">The flow.</param>
/// <param name="Version">The flow's version after the transition.</param>
/// <param name="At">When.</param>
/// <param name="FromState">The state before (null at creation).</param>
/// <param name="ToState">The state after.</param>
/// <param name="Event">What happened (e.g. <c>bank-completed</c>).</param>
/// <param name="Detail">Detail (never secrets), or null.</param>
public sealed record FlowTransition(long Seq, Guid FlowId, long Version, DateTimeOffset At, string? FromState, string ToState, string Event, string? Detail);

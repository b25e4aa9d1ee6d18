namespace Settlement.Service.Flows;

/// <summary>One merchant's line of a payout batch.</summary>
/// <param name="MerchantId">The merchant.</param>
/// <param name="Outcome">What the batch did.</param>
/// <param name="AmountPence">The whole pence of the balance considered (the stored amount for an existing payout).</param>
/// <param name="FlowId">The payout flow, when there is one.</param>
/// <param name="State">The payout's state after the batch advanced it, when there is one.</param>
/// <param name="Detail">Why it was skipped or failed, or null.</param>
public sealed record PayoutBatchItem(string MerchantId, PayoutBatchItemOutcome Outcome, long AmountPence, Guid? FlowId, PayoutFlowState? State, string? Detail);

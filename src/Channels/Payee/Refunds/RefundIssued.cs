namespace Settlement.Channels.Payee.Refunds;

/// <summary>The refund is signed and durable (and was offered to the payer's live streams).</summary>
/// <param name="Refund">The refund with the payee's signature.</param>
/// <param name="Repeated">True if an earlier request with the same idempotency key signed it (nothing new was signed).</param>
public sealed record RefundIssued(IssuedRefund Refund, bool Repeated) : RefundIssueOutcome;

namespace Settlement.OpenBanking.Pis;

/// <summary>One entry of a payment's status history (<c>/payment-details</c>).</summary>
public sealed record PaymentStatusDetail(string TransactionId, PaymentStatus Status, DateTimeOffset? At, string? Reason);

namespace Settlement.Service.Flows;

/// <summary>A bank payment's status as the bank connector reports it.</summary>
/// <param name="OperationId">The operation.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="AuthorizationUrl">Where the customer authorises a top-up, while it waits for that.</param>
/// <param name="Detail">Why it was rejected or failed (never secrets), or null.</param>
public sealed record BankPaymentResult(Guid OperationId, BankPaymentStatus Status, Uri? AuthorizationUrl = null, string? Detail = null);

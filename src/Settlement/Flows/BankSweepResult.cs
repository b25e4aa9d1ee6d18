namespace Settlement.Service.Flows;

/// <summary>A sweeping payment's status as the bank connector reports it.</summary>
/// <param name="OperationId">The operation.</param>
/// <param name="Status">Where it stands (<see cref="BankPaymentStatus.Conflict"/>: the operation id names another payment).</param>
/// <param name="Refusal">Why the bank refused it, when <paramref name="Status"/> is Rejected or Failed and the reason is known.</param>
/// <param name="Detail">What the bank said (never secrets), or null.</param>
public sealed record BankSweepResult(Guid OperationId, BankPaymentStatus Status, BankSweepRefusal? Refusal = null, string? Detail = null);

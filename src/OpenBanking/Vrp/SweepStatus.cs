using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A sweep as stored.</summary>
/// <param name="OperationId">The caller's operation id (one sweep per id, ever).</param>
/// <param name="Bank">The bank.</param>
/// <param name="ConsentId">The VRP consent it runs under.</param>
/// <param name="AmountMinor">Pence.</param>
/// <param name="State">Where it stands.</param>
/// <param name="PaymentId">DomesticVRPId once the bank made the payment.</param>
/// <param name="BankStatus">The bank's latest payment status.</param>
/// <param name="Refusal">Why it was refused (State Refused).</param>
/// <param name="RefusalDetail">A sentence about the refusal (e.g. which limit).</param>
/// <param name="BankErrorCodes">The bank's OBIE error codes of a refusal.</param>
/// <param name="LastError">The last transient failure (the sweep stays Pending/Submitted and is retried).</param>
/// <param name="Created">When it was saved.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record SweepStatus(
    string OperationId,
    string Bank,
    string ConsentId,
    long AmountMinor,
    SweepState State,
    string? PaymentId,
    PaymentStatus? BankStatus,
    SweepRefusal? Refusal,
    string? RefusalDetail,
    IReadOnlyList<string> BankErrorCodes,
    string? LastError,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    /// <summary>Completed, Rejected or Refused.</summary>
    public bool IsFinal => State is SweepState.Completed or SweepState.Rejected or SweepState.Refused;

    /// <summary>The row version (optimistic concurrency).</summary>
    internal long Version { get; init; }

    /// <summary>Whether it counts against the consent's limits (everything that may still move or has moved money).</summary>
    internal bool CountsAgainstLimits => State is SweepState.Pending or SweepState.Submitted or SweepState.Completed;
}

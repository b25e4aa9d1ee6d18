namespace Settlement.Service.Flows;

/// <summary>A sweeping VRP payment (user's bank → platform account) to submit; idempotent per <paramref name="OperationId"/>.</summary>
/// <param name="OperationId">Derived from the flow id (<see cref="FlowIds.BankOperation"/>).</param>
/// <param name="Bank">The configured bank that holds the consent.</param>
/// <param name="ConsentId">The bank's id of the authorised sweeping consent.</param>
/// <param name="AmountPence">The amount, in pence (&gt; 0).</param>
/// <param name="Reference">The remittance reference (≤ 18 characters, Faster Payments).</param>
public sealed record BankSweep(Guid OperationId, string Bank, string ConsentId, long AmountPence, string Reference);

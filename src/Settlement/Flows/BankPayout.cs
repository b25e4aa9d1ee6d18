using Settlement.OpenBanking.Pis;

namespace Settlement.Service.Flows;

/// <summary>A payout (platform account → merchant) to start; idempotent per <paramref name="OperationId"/>.</summary>
/// <param name="OperationId">Derived from the flow id (<see cref="FlowIds.BankOperation"/>).</param>
/// <param name="Bank">The configured bank name.</param>
/// <param name="AmountPence">The amount, in pence (&gt; 0).</param>
/// <param name="Creditor">The merchant's account.</param>
/// <param name="Reference">The remittance reference (≤ 35 characters).</param>
public sealed record BankPayout(Guid OperationId, string Bank, long AmountPence, AccountIdentification Creditor, string Reference);

using Settlement.OpenBanking.Pis;

namespace Settlement.Service.Flows;

/// <summary>A top-up (customer's bank → platform account) to start; idempotent per <paramref name="OperationId"/>.</summary>
/// <param name="OperationId">Derived from the flow id (<see cref="FlowIds.BankOperation"/>).</param>
/// <param name="Bank">The configured bank name.</param>
/// <param name="AmountPence">The amount, in pence (&gt; 0).</param>
/// <param name="Reference">The remittance reference (≤ 35 characters).</param>
/// <param name="Debtor">The user's account when known; null: the user picks it at the bank.</param>
public sealed record BankTopup(Guid OperationId, string Bank, long AmountPence, string Reference, AccountIdentification? Debtor = null);

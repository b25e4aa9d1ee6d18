using Settlement.OpenBanking.Transfers;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// One bank operation as the open-banking transfer store holds it (the fields reconciliation reads).
/// </summary>
/// <param name="OperationId">The transfer's operation id (for a flow: <c>FlowIds.BankOperation(flow, step)</c>).</param>
/// <param name="Kind">Top-up (money in) or payout (money out).</param>
/// <param name="State">Only <see cref="TransferState.Completed"/> moved money.</param>
/// <param name="AmountMinor">The instructed amount in minor units (pence for GBP), positive.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="PaymentId">The bank's payment id, when known.</param>
/// <param name="UpdatedAt">When the transfer last changed (for a completed one: when it completed).</param>
public sealed record BankOperation(Guid OperationId, TransferKind Kind, TransferState State, long AmountMinor, string Currency, string? PaymentId, DateTimeOffset UpdatedAt)
{
    /// <summary>The fields of a stored <see cref="TransferOperation"/>.</summary>
    public static BankOperation From(TransferOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return new BankOperation(
            operation.Id, operation.Kind, operation.State, operation.Instruction.Amount.MinorUnits, operation.Instruction.Amount.Currency, operation.PaymentId, operation.UpdatedAt);
    }
}

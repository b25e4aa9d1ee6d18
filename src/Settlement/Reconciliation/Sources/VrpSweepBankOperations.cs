using Settlement.OpenBanking.Transfers;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// The bank operations of PIS transfers (<paramref name="transfers"/>) plus the sweeping VRP payments of the recharge
/// flows, read from the VRP connector by each recharge's operation id: a recharge's bank record is its sweep, money in
/// like a top-up, and only a completed sweep moved money.
/// </summary>
/// <param name="transfers">The PIS transfers' source.</param>
/// <param name="sweeps">The VRP connector.</param>
/// <param name="flows">The flow store (which recharges exist).</param>
public sealed class VrpSweepBankOperations(IBankOperationSource transfers, IVrpSweeps sweeps, IFlowStore flows) : IBankOperationSource
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<BankOperation>(await transfers.ListAsync(cancellationToken).ConfigureAwait(false));
        foreach (var stored in await flows.ListAsync(FlowKind.Recharge, unfinishedOnly: false, cancellationToken).ConfigureAwait(false))
        {
            var operationId = FlowCodec.DecodeTopup(stored).BankOperationId;
            if (await sweeps.GetSweepStatusAsync(operationId.ToString("D"), cancellationToken).ConfigureAwait(false) is { } sweep)
            {
                var state = sweep.State switch
                {
                    SweepState.Completed => TransferState.Completed,
                    SweepState.Rejected => TransferState.Rejected,
                    SweepState.Refused => TransferState.Failed,
                    _ => TransferState.PaymentSubmitted,
                };
                list.Add(new BankOperation(operationId, TransferKind.Topup, state, sweep.AmountMinor, "GBP", sweep.PaymentId, sweep.Updated));
            }
        }

        return list;
    }
}

using Settlement.OpenBanking.Transfers;

namespace Settlement.Service.Flows;

/// <summary>
/// <see cref="IBankPayments"/> over the open-banking connector's <see cref="TransferService"/>: the flow's operation id
/// is the transfer's <see cref="TransferRequest.OperationId"/>, so the connector's own idempotency (keys derived from it,
/// state saved before each bank call) makes every repeat answer the same payment.
/// </summary>
public sealed class BankPaymentsOverTransferService : IBankPayments
{
    private readonly TransferService _transfers;

    /// <summary>Payments through <paramref name="transfers"/>.</summary>
    public BankPaymentsOverTransferService(TransferService transfers)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        _transfers = transfers;
    }

    /// <inheritdoc />
    public Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topup);
        return StartAsync(
            TransferKind.Topup,
            new TransferRequest { OperationId = topup.OperationId, Bank = topup.Bank, AmountMinor = topup.AmountPence, Counterparty = topup.Debtor, Reference = topup.Reference },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payout);
        return StartAsync(
            TransferKind.Payout,
            new TransferRequest
            {
                OperationId = payout.OperationId, Bank = payout.Bank, AmountMinor = payout.AmountPence, Counterparty = payout.Creditor, Reference = payout.Reference,
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken)
    {
        var op = await _transfers.GetAsync(operationId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No bank transfer {operationId:N}.");
        if (!op.IsFinished)
        {
            op = await _transfers.AdvanceAsync(operationId, cancellationToken).ConfigureAwait(false);
        }

        return Map(op);
    }

    private async Task<BankPaymentResult> StartAsync(TransferKind kind, TransferRequest request, CancellationToken cancellationToken)
    {
        var created = await _transfers.CreateAsync(kind, request, cancellationToken).ConfigureAwait(false);
        if (created.Outcome == TransferCreationOutcome.Conflict)
        {
            return new BankPaymentResult(created.Operation.Id, BankPaymentStatus.Conflict, Detail: "the operation id names a transfer with other parameters");
        }

        var op = created.Operation.IsFinished
            ? created.Operation
            : (await _transfers.TryAdvanceAsync(created.Operation.Id, cancellationToken).ConfigureAwait(false)).Operation;
        return Map(op);
    }

    private static BankPaymentResult Map(TransferOperation op) => op.State switch
    {
        TransferState.Completed => new BankPaymentResult(op.Id, BankPaymentStatus.Completed),
        TransferState.Rejected => new BankPaymentResult(op.Id, BankPaymentStatus.Rejected, Detail: op.LastError ?? op.PaymentStatus ?? op.ConsentStatus),
        TransferState.Failed or TransferState.Expired => new BankPaymentResult(op.Id, BankPaymentStatus.Failed, Detail: op.LastError),
        _ => new BankPaymentResult(op.Id, BankPaymentStatus.Pending, op.AuthorizationUrl),
    };
}

using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

public sealed partial class TransferService
{
    /// <summary>
    /// Applies a verified resource-update event (OBIE event notification) for a domestic payment.
    /// The event carries no status: the payment is read from the bank (authoritative), so a
    /// duplicate or out-of-order delivery cannot move a transfer backwards. A payment not yet linked
    /// to a transfer (its creation answer was lost) is linked through its ConsentId.
    /// </summary>
    public async Task<StatusUpdateOutcome> ApplyResourceUpdateAsync(string bank, string resourceId, string resourceType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bank);
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentNullException.ThrowIfNull(resourceType);
        if (!string.Equals(resourceType, "domestic-payment", StringComparison.Ordinal) && !string.Equals(resourceType, "domestic-payments", StringComparison.Ordinal))
        {
            return StatusUpdateOutcome.Stale;
        }

        var client = _clients.Get(bank);
        var payment = await client.GetPaymentAsync(resourceId, cancellationToken).ConfigureAwait(false);
        var op = await _store.FindByPaymentAsync(bank, resourceId, cancellationToken).ConfigureAwait(false)
            ?? await _store.FindByConsentAsync(bank, payment.ConsentId, cancellationToken).ConfigureAwait(false);
        if (op is null)
        {
            LogUnknownResource(bank, resourceId);
            return StatusUpdateOutcome.Stale;
        }

        var gate = _locks.GetOrAdd(op.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            op = (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
            CheckPaymentMatches(client, op, payment);
            if (op.PaymentId is null)
            {
                if (op.State != TransferState.SubmittingPayment)
                {
                    throw new BankResponseInvalidException(bank, BankResponseProblem.ResourceMismatch,
                        $"payment {resourceId} names a consent whose transfer is {op.State}", null, null);
                }

                await AttachPaymentAsync(op, op with { ConsentToken = null }, payment, "payment-discovered-notification", cancellationToken).ConfigureAwait(false);
                return StatusUpdateOutcome.Applied;
            }

            if (op.PaymentId != resourceId)
            {
                throw new BankResponseInvalidException(bank, BankResponseProblem.ResourceMismatch,
                    $"consent {payment.ConsentId} already has payment {op.PaymentId}, not {resourceId}", null, null);
            }

            op = await KeepRefundAccountAsync(op, payment, cancellationToken).ConfigureAwait(false);
            return await ApplyStatusCoreAsync(op, payment.Status, "notification", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Applies a payment status reported by any source (e.g. a bank's push that carries the status).
    /// Forward-only: duplicates and stale reports are ignored, impossible jumps refused and audited.
    /// </summary>
    public async Task<StatusUpdateOutcome> ApplyPaymentStatusAsync(Guid id, string statusCode, string source, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(statusCode);
        ArgumentException.ThrowIfNullOrEmpty(source);
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var op = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"Transfer {id:N} does not exist.");
            if (op.PaymentId is null)
            {
                throw new InvalidOperationException($"Transfer {id:N} has no payment yet.");
            }

            return await ApplyStatusCoreAsync(op, PaymentStatus.FromCode(statusCode), source, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    internal Task<bool> TryRecordNotificationAsync(string bank, string jti, CancellationToken ct) => _store.TryRecordNotificationAsync(bank, jti, _time.GetUtcNow(), ct);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Bank {Bank}: notification for payment {PaymentId} that no transfer knows; ignored")]
    private partial void LogUnknownResource(string bank, string paymentId);
}

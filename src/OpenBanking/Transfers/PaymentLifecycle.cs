using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// The forward-only rule for payment statuses (OBIE payment status lifecycle, v3.1.11 diagram and
/// the v4.0 ISO codes): a status may only move to a later stage; once settled (ACSC/ACCC) or
/// rejected, the only acceptable later report is a further settlement stage of a settled payment.
/// </summary>
internal static class PaymentLifecycle
{
    public static StatusUpdateOutcome Classify(string? currentCode, PaymentStatus reported)
    {
        if (reported.Kind == PaymentStatusKind.Unknown)
        {
            return StatusUpdateOutcome.Unrecognised;
        }

        if (reported.Kind == PaymentStatusKind.CancellationRequest)
        {
            // About a cancellation request, not the payment's settlement: no new stage.
            return StatusUpdateOutcome.Stale;
        }

        if (currentCode is null || PaymentStatus.FromCode(currentCode).Kind == PaymentStatusKind.CancellationRequest)
        {
            return StatusUpdateOutcome.Applied;
        }

        var current = PaymentStatus.FromCode(currentCode);
        if (string.Equals(current.Code, reported.Code, StringComparison.Ordinal))
        {
            return StatusUpdateOutcome.Duplicate;
        }

        if (current.Kind == PaymentStatusKind.Rejected)
        {
            // Rejected is final: any other code afterwards cannot happen.
            return StatusUpdateOutcome.Impossible;
        }

        if (current.IsSettled)
        {
            // Money has left the debtor: a rejection now is impossible; a later settlement stage is fine.
            if (reported.Kind == PaymentStatusKind.Rejected)
            {
                return StatusUpdateOutcome.Impossible;
            }

            return reported.Kind > current.Kind ? StatusUpdateOutcome.Applied : StatusUpdateOutcome.Stale;
        }

        if (reported.Kind == current.Kind)
        {
            // Two codes of the same stage (e.g. ACTC then ACCP): no new information, keep the first.
            return StatusUpdateOutcome.Duplicate;
        }

        return reported.Kind > current.Kind ? StatusUpdateOutcome.Applied : StatusUpdateOutcome.Stale;
    }

    public static TransferState StateFor(PaymentStatus status) => status switch
    {
        { Kind: PaymentStatusKind.Rejected } => TransferState.Rejected,
        { IsSettled: true } => TransferState.Completed,
        _ => TransferState.PaymentSubmitted,
    };
}

using Settlement.OpenBanking.Vrp;

namespace Settlement.Service.Flows;

/// <summary>
/// <see cref="IBankSweeps"/> over the open-banking connector's sweeping VRP (<see cref="IVrpSweeps"/>): the flow's
/// operation id is the sweep's operation id, so the connector's own idempotency (sweep saved with its key before the
/// bank is called, a repeat answers <see cref="SweepOutcomeKind.Exists"/>) makes every repeat answer the same payment.
/// Refusals of the connector or the bank become <see cref="BankSweepResult"/> data.
/// </summary>
public sealed class BankSweepsOverVrp : IBankSweeps
{
    private readonly IVrpSweeps _vrp;

    /// <summary>Sweeps through <paramref name="vrp"/>.</summary>
    public BankSweepsOverVrp(IVrpSweeps vrp)
    {
        ArgumentNullException.ThrowIfNull(vrp);
        _vrp = vrp;
    }

    /// <summary>
    /// The consent as the recharge flow registers it: the connector's limits (<c>MaximumIndividualAmount</c> and the
    /// first periodic limit; the connector and the bank enforce every one), its validity (consent-aligned periods anchored
    /// at <c>ValidFromDateTime</c>, else the consent's creation, as the connector does), for the channel named.
    /// </summary>
    /// <exception cref="ArgumentException">The consent has no periodic limit.</exception>
    public static SweepingConsent ToSweepingConsent(VrpConsentView consent, string userId, string payerAddress, string payeeAddress, string channelId)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var limit = consent.Terms.PeriodicLimits is { Count: > 0 } limits ? limits[0] : throw new ArgumentException("The consent has no periodic limit.", nameof(consent));
        return new SweepingConsent
        {
            ConsentId = consent.ConsentId, UserId = userId, Bank = consent.Bank, PayerAddress = payerAddress, PayeeAddress = payeeAddress, ChannelId = channelId,
            MaxPerPaymentPence = consent.Terms.MaximumIndividualMinor, MaxPerPeriodPence = limit.AmountMinor,
            PeriodType = limit.PeriodType switch
            {
                VrpPeriodType.Day => SweepPeriodType.Day,
                VrpPeriodType.Week => SweepPeriodType.Week,
                VrpPeriodType.Fortnight => SweepPeriodType.Fortnight,
                VrpPeriodType.Month => SweepPeriodType.Month,
                VrpPeriodType.HalfYear => SweepPeriodType.HalfYear,
                _ => SweepPeriodType.Year,
            },
            PeriodAlignment = limit.Alignment == VrpPeriodAlignment.Calendar ? SweepPeriodAlignment.Calendar : SweepPeriodAlignment.Consent,
            ValidFrom = consent.Terms.ValidFrom ?? consent.Created,
            ValidTo = consent.Terms.ValidTo,
        };
    }

    /// <inheritdoc />
    public async Task<BankSweepResult> StartSweepAsync(BankSweep sweep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var outcome = await _vrp.StartSweepAsync(sweep.ConsentId, OperationKey(sweep.OperationId), sweep.AmountPence, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == SweepOutcomeKind.Refused && outcome.Refusal == SweepRefusal.OperationIdReused)
        {
            return new BankSweepResult(sweep.OperationId, BankPaymentStatus.Conflict, Detail: outcome.Detail ?? "the operation id names a sweep with other parameters");
        }

        if (outcome.Status is { } status)
        {
            return status.ConsentId == sweep.ConsentId && status.AmountMinor == sweep.AmountPence
                ? Map(sweep.OperationId, status)
                : new BankSweepResult(sweep.OperationId, BankPaymentStatus.Conflict, Detail: "the operation id names a sweep with other parameters");
        }

        // Refused before anything was stored (an unknown consent).
        return new BankSweepResult(sweep.OperationId, BankPaymentStatus.Rejected, Refusal(outcome.Refusal), outcome.Detail);
    }

    /// <inheritdoc />
    public async Task<BankSweepResult> GetSweepStatusAsync(Guid operationId, CancellationToken cancellationToken)
    {
        var key = OperationKey(operationId);
        var status = await _vrp.GetSweepStatusAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No sweep {operationId:N}.");
        if (!status.IsFinal)
        {
            status = await _vrp.AdvanceSweepAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return Map(operationId, status);
    }

    private static string OperationKey(Guid operationId) => operationId.ToString("D");

    private static BankSweepResult Map(Guid operationId, SweepStatus status) => status.State switch
    {
        SweepState.Completed => new BankSweepResult(operationId, BankPaymentStatus.Completed),
        SweepState.Refused => new BankSweepResult(operationId, BankPaymentStatus.Rejected, Refusal(status.Refusal), Describe(status)),
        SweepState.Rejected => new BankSweepResult(
            operationId, BankPaymentStatus.Rejected, status.BankErrorCodes.Any(c => c.Contains("AM04", StringComparison.Ordinal)) ? BankSweepRefusal.InsufficientFunds : BankSweepRefusal.Other,
            Describe(status)),
        _ => new BankSweepResult(operationId, BankPaymentStatus.Pending),
    };

    private static string Describe(SweepStatus status)
    {
        var detail = status.RefusalDetail ?? status.BankStatus?.ToString() ?? status.State.ToString();
        return status.BankErrorCodes.Count == 0 ? detail : detail + " (" + string.Join(", ", status.BankErrorCodes) + ")";
    }

    private static BankSweepRefusal Refusal(SweepRefusal? refusal) => refusal switch
    {
        SweepRefusal.ConsentUnknown => BankSweepRefusal.ConsentUnknown,
        SweepRefusal.ConsentNotAuthorised => BankSweepRefusal.ConsentNotAuthorised,
        SweepRefusal.ConsentRevoked => BankSweepRefusal.ConsentRevoked,
        SweepRefusal.ConsentOutsideValidity => BankSweepRefusal.ConsentExpired,
        SweepRefusal.ExceedsMaximumIndividualAmount => BankSweepRefusal.PerPaymentLimit,
        SweepRefusal.ExceedsPeriodicLimit => BankSweepRefusal.PeriodLimit,
        _ => BankSweepRefusal.Other,
    };
}

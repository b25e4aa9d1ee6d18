using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// What a sweeping VRP consent allows (OBDomesticVRPControlParameters, GBP, amounts in pence): at most
/// <see cref="MaximumIndividualMinor"/> per payment and every <see cref="PeriodicLimits"/> entry per period, between
/// <see cref="ValidFrom"/> and <see cref="ValidTo"/>. <see cref="Debtor"/> is the payer's account when known up front
/// (else the customer picks it at the bank).
/// </summary>
public sealed record VrpConsentTerms(long MaximumIndividualMinor, IReadOnlyList<VrpPeriodicLimit> PeriodicLimits, DateTimeOffset? ValidFrom = null, DateTimeOffset? ValidTo = null, AccountIdentification? Debtor = null)
{
    /// <summary>Checks the terms before anything is sent; null when they are usable, else what is wrong.</summary>
    public string? Problem()
    {
        if (MaximumIndividualMinor <= 0)
        {
            return "MaximumIndividualMinor must be positive";
        }

        if (PeriodicLimits is null || PeriodicLimits.Count == 0)
        {
            return "at least one periodic limit is required (OBIE: PeriodicLimits minItems 1)";
        }

        foreach (var l in PeriodicLimits)
        {
            if (l.AmountMinor <= 0)
            {
                return "every periodic limit must be positive";
            }

            if (l.PeriodType == VrpPeriodType.Fortnight && l.Alignment == VrpPeriodAlignment.Calendar)
            {
                return "a Fortnight limit must be consent-aligned (OBIE)";
            }
        }

        return ValidFrom is { } from && ValidTo is { } to && to <= from ? "ValidTo must be after ValidFrom" : null;
    }
}

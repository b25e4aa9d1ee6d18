namespace Settlement.OpenBanking.Vrp;

/// <summary>OBDomesticVRPControlParameters.PeriodicLimits[].PeriodAlignment.</summary>
public enum VrpPeriodAlignment
{
    /// <summary>Periods start at the consent's ValidFromDateTime (its creation when absent).</summary>
    Consent,

    /// <summary>Periods follow the calendar (UTC here; the first period is not pro-rated).</summary>
    Calendar,
}

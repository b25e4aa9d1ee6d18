namespace Settlement.OpenBanking.Vrp;

/// <summary>OBDomesticVRPControlParameters.PeriodicLimits[].PeriodType.</summary>
public enum VrpPeriodType
{
    /// <summary>Day.</summary>
    Day,

    /// <summary>Week (calendar: ISO week from Monday).</summary>
    Week,

    /// <summary>Fortnight (consent-aligned only, as the spec requires).</summary>
    Fortnight,

    /// <summary>Month.</summary>
    Month,

    /// <summary>Half-year (calendar: from 1 January and 1 July).</summary>
    HalfYear,

    /// <summary>Year.</summary>
    Year,
}

namespace Settlement.Service.Flows;

/// <summary>The OBIE VRP <c>PeriodAlignment</c>: periods start at the consent's <c>ValidFromDateTime</c> or on calendar boundaries.</summary>
public enum SweepPeriodAlignment
{
    /// <summary>Periods of the given length from the consent's start.</summary>
    Consent = 1,

    /// <summary>Calendar periods (UTC).</summary>
    Calendar,
}

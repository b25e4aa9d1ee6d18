namespace Settlement.Service.Flows;

/// <summary>The OBIE VRP <c>PeriodType</c> of a periodic limit.</summary>
public enum SweepPeriodType
{
    /// <summary>A day.</summary>
    Day = 1,

    /// <summary>A week (calendar: Monday to Sunday).</summary>
    Week,

    /// <summary>Two weeks (calendar: the ISO weeks paired from the first Monday of 2001).</summary>
    Fortnight,

    /// <summary>A month.</summary>
    Month,

    /// <summary>Six months (calendar: January–June, July–December).</summary>
    HalfYear,

    /// <summary>A year.</summary>
    Year,
}

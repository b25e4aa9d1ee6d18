using Settlement.OpenBanking.Vrp;

namespace Settlement.Service.Flows;

/// <summary>
/// The period of a sweeping consent's periodic limit that holds a given instant (OBIE VRP <c>PeriodType</c> and
/// <c>PeriodAlignment</c>), computed by the VRP connector's own rule (<see cref="VrpPeriodicLimit.PeriodAt"/>) so the
/// settlement service's check before the bank and the connector's check never disagree. Calendar periods are computed
/// in UTC; a bank that aligns them to UK local time may start a period up to an hour apart, and its own check stays the
/// authority.
/// </summary>
public static class SweepPeriods
{
    /// <summary>The start (inclusive) and end (exclusive) of the period that holds <paramref name="at"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An unknown period type or alignment, a calendar-aligned Fortnight (OBIE VRP allows it only consent-aligned), or
    /// <paramref name="at"/> before a consent-aligned start.
    /// </exception>
    public static (DateTimeOffset Start, DateTimeOffset End) Containing(SweepPeriodType type, SweepPeriodAlignment alignment, DateTimeOffset validFrom, DateTimeOffset at)
    {
        var periodType = type switch
        {
            SweepPeriodType.Day => VrpPeriodType.Day,
            SweepPeriodType.Week => VrpPeriodType.Week,
            SweepPeriodType.Fortnight => VrpPeriodType.Fortnight,
            SweepPeriodType.Month => VrpPeriodType.Month,
            SweepPeriodType.HalfYear => VrpPeriodType.HalfYear,
            SweepPeriodType.Year => VrpPeriodType.Year,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown period type."),
        };
        var periodAlignment = alignment switch
        {
            SweepPeriodAlignment.Consent => VrpPeriodAlignment.Consent,
            SweepPeriodAlignment.Calendar => VrpPeriodAlignment.Calendar,
            _ => throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Unknown period alignment."),
        };
        if (alignment == SweepPeriodAlignment.Consent)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(at.ToUniversalTime(), validFrom.ToUniversalTime());
        }
        else if (type == SweepPeriodType.Fortnight)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "A Fortnight limit must be consent-aligned (OBIE VRP).");
        }

        return new VrpPeriodicLimit(periodType, periodAlignment, 0).PeriodAt(validFrom, at);
    }
}

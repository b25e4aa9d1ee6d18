namespace Settlement.Service.Flows;

/// <summary>
/// The period of a sweeping consent's periodic limit that holds a given instant (OBIE VRP <c>PeriodType</c> and
/// <c>PeriodAlignment</c>). Calendar periods are computed in UTC; a bank that aligns them to UK local time may start a
/// period up to an hour apart, and its own check stays the authority.
/// </summary>
public static class SweepPeriods
{
    // A Monday: calendar fortnights are counted from it.
    private static readonly DateTimeOffset FortnightEpoch = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The start (inclusive) and end (exclusive) of the period that holds <paramref name="at"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown period type or alignment, or <paramref name="at"/> before a consent-aligned start.</exception>
    public static (DateTimeOffset Start, DateTimeOffset End) Containing(SweepPeriodType type, SweepPeriodAlignment alignment, DateTimeOffset validFrom, DateTimeOffset at)
    {
        at = at.ToUniversalTime();
        if (alignment == SweepPeriodAlignment.Consent)
        {
            var start = validFrom.ToUniversalTime();
            ArgumentOutOfRangeException.ThrowIfLessThan(at, start);
            var n = 0;
            var end = Add(type, start, 1);
            if (type is SweepPeriodType.Day or SweepPeriodType.Week or SweepPeriodType.Fortnight)
            {
                var length = end - start;
                n = (int)((at - start).Ticks / length.Ticks);
                return (start + (length * n), start + (length * (n + 1)));
            }

            while (end <= at)
            {
                n++;
                end = Add(type, start, n + 1);
            }

            return (Add(type, start, n), end);
        }

        if (alignment != SweepPeriodAlignment.Calendar)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Unknown period alignment.");
        }

        var day = new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
        switch (type)
        {
            case SweepPeriodType.Day:
                return (day, day.AddDays(1));
            case SweepPeriodType.Week:
                var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
                return (monday, monday.AddDays(7));
            case SweepPeriodType.Fortnight:
                var fortnights = (day - FortnightEpoch).Days / 14;
                var first = FortnightEpoch.AddDays(fortnights * 14);
                return (first, first.AddDays(14));
            case SweepPeriodType.Month:
                var month = new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero);
                return (month, month.AddMonths(1));
            case SweepPeriodType.HalfYear:
                var half = new DateTimeOffset(at.Year, at.Month <= 6 ? 1 : 7, 1, 0, 0, 0, TimeSpan.Zero);
                return (half, half.AddMonths(6));
            case SweepPeriodType.Year:
                var year = new DateTimeOffset(at.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
                return (year, year.AddYears(1));
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown period type.");
        }
    }

    private static DateTimeOffset Add(SweepPeriodType type, DateTimeOffset start, int n) => type switch
    {
        SweepPeriodType.Day => start.AddDays(n),
        SweepPeriodType.Week => start.AddDays(7 * n),
        SweepPeriodType.Fortnight => start.AddDays(14 * n),
        // From the start each time, so a 31st stays on the month's last day without drifting.
        SweepPeriodType.Month => start.AddMonths(n),
        SweepPeriodType.HalfYear => start.AddMonths(6 * n),
        SweepPeriodType.Year => start.AddYears(n),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown period type."),
    };
}

namespace Settlement.BankSandbox.Vrp;

/// <summary>
/// One entry of ControlParameters.PeriodicLimits. Consent-aligned periods start at the consent's ValidFromDateTime
/// (its creation when absent) and repeat every period; calendar-aligned periods follow the UTC calendar (day from
/// midnight, ISO week from Monday, month, half-year from 1 January / 1 July, year). The first calendar period is not
/// pro-rated.
/// </summary>
internal sealed record PeriodicLimit(string PeriodType, bool CalendarAligned, long AmountMinor)
{
    public string Alignment => CalendarAligned ? "Calendar" : "Consent";

    /// <summary>The [start, end) of the period that contains <paramref name="at"/>.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) PeriodAt(DateTimeOffset anchor, DateTimeOffset at)
    {
        at = at.ToUniversalTime();
        anchor = anchor.ToUniversalTime();
        if (CalendarAligned)
        {
            var day = new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
            return PeriodType switch
            {
                "Day" => (day, day.AddDays(1)),
                "Week" => Week(day),
                "Month" => Months(new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero), 1),
                "Half-year" => Months(new DateTimeOffset(at.Year, at.Month <= 6 ? 1 : 7, 1, 0, 0, 0, TimeSpan.Zero), 6),
                "Year" => Months(new DateTimeOffset(at.Year, 1, 1, 0, 0, 0, TimeSpan.Zero), 12),
                _ => throw new InvalidOperationException("calendar-aligned " + PeriodType),
            };
        }

        if (at < anchor)
        {
            // Before ValidFromDateTime no payment is allowed anyway; the first period is the one that applies.
            at = anchor;
        }

        var fixedLength = PeriodType switch
        {
            "Day" => TimeSpan.FromDays(1),
            "Week" => TimeSpan.FromDays(7),
            "Fortnight" => TimeSpan.FromDays(14),
            _ => TimeSpan.Zero,
        };
        if (fixedLength > TimeSpan.Zero)
        {
            var n = (at - anchor).Ticks / fixedLength.Ticks;
            var start = anchor + TimeSpan.FromTicks(fixedLength.Ticks * n);
            return (start, start + fixedLength);
        }

        var months = PeriodType switch
        {
            "Month" => 1,
            "Half-year" => 6,
            "Year" => 12,
            _ => throw new InvalidOperationException("consent-aligned " + PeriodType),
        };

        // Month arithmetic from the anchor (31 January + 1 month = 28/29 February, as DateTimeOffset.AddMonths does).
        var k = Math.Max(0, (((at.Year - anchor.Year) * 12) + at.Month - anchor.Month) / months - 1);
        while (anchor.AddMonths((k + 1) * months) <= at)
        {
            k++;
        }

        return (anchor.AddMonths(k * months), anchor.AddMonths((k + 1) * months));
    }

    private static (DateTimeOffset, DateTimeOffset) Week(DateTimeOffset day)
    {
        var sinceMonday = ((int)day.DayOfWeek + 6) % 7;
        var start = day.AddDays(-sinceMonday);
        return (start, start.AddDays(7));
    }

    private static (DateTimeOffset, DateTimeOffset) Months(DateTimeOffset start, int months) => (start, start.AddMonths(months));
}

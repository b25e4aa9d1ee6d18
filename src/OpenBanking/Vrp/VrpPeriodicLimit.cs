namespace Settlement.OpenBanking.Vrp;

/// <summary>One periodic limit of a sweeping consent: at most <paramref name="AmountMinor"/> (pence) per period.</summary>
public sealed record VrpPeriodicLimit(VrpPeriodType PeriodType, VrpPeriodAlignment Alignment, long AmountMinor)
{
    /// <summary>The OBIE spelling of <see cref="PeriodType"/>.</summary>
    public string PeriodTypeCode => PeriodType switch
    {
        VrpPeriodType.HalfYear => "Half-year",
        _ => PeriodType.ToString(),
    };

    /// <summary>Parses the OBIE spelling; false for anything else.</summary>
    public static bool TryParsePeriodType(string? code, out VrpPeriodType type)
    {
        type = code switch
        {
            "Day" => VrpPeriodType.Day,
            "Week" => VrpPeriodType.Week,
            "Fortnight" => VrpPeriodType.Fortnight,
            "Month" => VrpPeriodType.Month,
            "Half-year" => VrpPeriodType.HalfYear,
            "Year" => VrpPeriodType.Year,
            _ => (VrpPeriodType)(-1),
        };
        return (int)type >= 0;
    }

    /// <summary>
    /// The [start, end) of the period containing <paramref name="at"/>. Consent-aligned periods repeat from
    /// <paramref name="anchor"/> (ValidFromDateTime, else the consent's creation); calendar ones follow the UTC calendar.
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End) PeriodAt(DateTimeOffset anchor, DateTimeOffset at)
    {
        at = at.ToUniversalTime();
        anchor = anchor.ToUniversalTime();
        if (Alignment == VrpPeriodAlignment.Calendar)
        {
            var day = new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero);
            switch (PeriodType)
            {
                case VrpPeriodType.Day:
                    return (day, day.AddDays(1));
                case VrpPeriodType.Week:
                    var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
                    return (monday, monday.AddDays(7));
                case VrpPeriodType.Month:
                    var month = new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero);
                    return (month, month.AddMonths(1));
                case VrpPeriodType.HalfYear:
                    var half = new DateTimeOffset(at.Year, at.Month <= 6 ? 1 : 7, 1, 0, 0, 0, TimeSpan.Zero);
                    return (half, half.AddMonths(6));
                case VrpPeriodType.Year:
                    var year = new DateTimeOffset(at.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
                    return (year, year.AddYears(1));
                default:
                    throw new InvalidOperationException("A Fortnight limit must be consent-aligned.");
            }
        }

        if (at < anchor)
        {
            at = anchor;
        }

        var days = PeriodType switch
        {
            VrpPeriodType.Day => 1,
            VrpPeriodType.Week => 7,
            VrpPeriodType.Fortnight => 14,
            _ => 0,
        };
        if (days > 0)
        {
            var length = TimeSpan.FromDays(days);
            var start = anchor + TimeSpan.FromTicks(length.Ticks * ((at - anchor).Ticks / length.Ticks));
            return (start, start + length);
        }

        var months = PeriodType switch
        {
            VrpPeriodType.Month => 1,
            VrpPeriodType.HalfYear => 6,
            _ => 12,
        };
        var k = Math.Max(0, ((((at.Year - anchor.Year) * 12) + at.Month - anchor.Month) / months) - 1);
        while (anchor.AddMonths((k + 1) * months) <= at)
        {
            k++;
        }

        return (anchor.AddMonths(k * months), anchor.AddMonths((k + 1) * months));
    }
}

using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

public sealed class SweepPeriodsTests
{
    private static readonly DateTimeOffset ValidFrom = new(2026, 1, 31, 15, 30, 0, TimeSpan.Zero);

    private static DateTimeOffset D(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<SweepPeriodType, string, string, string> Calendar => new()
    {
        { SweepPeriodType.Day, "2026-03-04T23:59:59Z", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z" },
        { SweepPeriodType.Week, "2026-03-04T10:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z" }, // Wednesday → Monday
        { SweepPeriodType.Week, "2026-03-08T23:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z" }, // Sunday
        { SweepPeriodType.Month, "2026-02-28T12:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z" },
        { SweepPeriodType.HalfYear, "2026-06-30T23:59:59Z", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z" },
        { SweepPeriodType.HalfYear, "2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        { SweepPeriodType.Year, "2026-12-31T23:59:59+01:00", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" }, // 22:59:59 UTC
    };

    [Theory]
    [MemberData(nameof(Calendar))]
    public void Containing_Calendar_UtcBoundaries(SweepPeriodType type, string at, string start, string end)
    {
        SweepPeriods.Containing(type, SweepPeriodAlignment.Calendar, ValidFrom, D(at)).ShouldBe((D(start), D(end)));
    }

    public static TheoryData<SweepPeriodType, string, string, string> Consent => new()
    {
        { SweepPeriodType.Day, "2026-01-31T15:30:00Z", "2026-01-31T15:30:00Z", "2026-02-01T15:30:00Z" },
        { SweepPeriodType.Day, "2026-02-01T15:29:59Z", "2026-01-31T15:30:00Z", "2026-02-01T15:30:00Z" },
        { SweepPeriodType.Week, "2026-02-14T15:30:00Z", "2026-02-14T15:30:00Z", "2026-02-21T15:30:00Z" },
        { SweepPeriodType.Fortnight, "2026-02-14T15:29:00Z", "2026-01-31T15:30:00Z", "2026-02-14T15:30:00Z" },

        // From the 31st: each month counted from the start, so February ends on the 28th and March is back on the 31st.
        { SweepPeriodType.Month, "2026-02-28T15:29:00Z", "2026-01-31T15:30:00Z", "2026-02-28T15:30:00Z" },
        { SweepPeriodType.Month, "2026-03-30T00:00:00Z", "2026-02-28T15:30:00Z", "2026-03-31T15:30:00Z" },
        { SweepPeriodType.HalfYear, "2026-08-01T00:00:00Z", "2026-07-31T15:30:00Z", "2027-01-31T15:30:00Z" },
        { SweepPeriodType.Year, "2027-01-31T15:30:00Z", "2027-01-31T15:30:00Z", "2028-01-31T15:30:00Z" },
    };

    [Theory]
    [MemberData(nameof(Consent))]
    public void Containing_ConsentAligned_FromTheConsentsStart(SweepPeriodType type, string at, string start, string end)
    {
        SweepPeriods.Containing(type, SweepPeriodAlignment.Consent, ValidFrom, D(at)).ShouldBe((D(start), D(end)));
    }

    [Fact]
    public void Containing_BeforeAConsentAlignedStartOrUnknownValues_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing(SweepPeriodType.Day, SweepPeriodAlignment.Consent, ValidFrom, ValidFrom.AddTicks(-1)));
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing((SweepPeriodType)0, SweepPeriodAlignment.Calendar, ValidFrom, ValidFrom));
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing(SweepPeriodType.Day, (SweepPeriodAlignment)7, ValidFrom, ValidFrom));
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing(SweepPeriodType.Fortnight, SweepPeriodAlignment.Calendar, ValidFrom, ValidFrom))
            .Message.ShouldContain("consent-aligned");
    }

    [Fact]
    public void Containing_UnknownTypeOrAlignment_TheMessageSaysWhich()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing((SweepPeriodType)0, SweepPeriodAlignment.Calendar, ValidFrom, ValidFrom))
            .Message.ShouldStartWith("Unknown period type. (Parameter 'type')");
        Should.Throw<ArgumentOutOfRangeException>(() => SweepPeriods.Containing(SweepPeriodType.Day, (SweepPeriodAlignment)7, ValidFrom, ValidFrom))
            .Message.ShouldStartWith("Unknown period alignment. (Parameter 'alignment')");
    }

    [Fact]
    public void Containing_EveryInstant_InsideItsPeriodAndPeriodsTile()
    {
        foreach (var type in Enum.GetValues<SweepPeriodType>())
        {
            foreach (var alignment in Enum.GetValues<SweepPeriodAlignment>())
            {
                if (type == SweepPeriodType.Fortnight && alignment == SweepPeriodAlignment.Calendar)
                {
                    continue; // refused (OBIE VRP): above
                }

                var at = ValidFrom;
                for (var i = 0; i < 60; i++, at = at.AddHours(173))
                {
                    var (start, end) = SweepPeriods.Containing(type, alignment, ValidFrom, at);
                    at.ShouldBeGreaterThanOrEqualTo(start, $"{type} {alignment}");
                    at.ShouldBeLessThan(end, $"{type} {alignment}");
                    SweepPeriods.Containing(type, alignment, ValidFrom, end).Start.ShouldBe(end, $"{type} {alignment}: the next period starts where this ends");
                }
            }
        }
    }
}

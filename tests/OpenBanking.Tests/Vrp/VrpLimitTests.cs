using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Vrp;

namespace Settlement.OpenBanking.Tests.Vrp;

public sealed class VrpLimitTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 1, 31, 10, 0, 0, TimeSpan.Zero); // a Saturday, end of month
    private static readonly AccountIdentification Platform = new("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform");

    public static TheoryData<VrpPeriodType, VrpPeriodAlignment, string, string, string> Periods => new()
    {
        // type, alignment, at, expected start, expected end (UTC)
        { VrpPeriodType.Day, VrpPeriodAlignment.Consent, "2026-02-01T09:59:59Z", "2026-01-31T10:00:00Z", "2026-02-01T10:00:00Z" },
        { VrpPeriodType.Day, VrpPeriodAlignment.Calendar, "2026-02-01T09:59:59Z", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z" },
        { VrpPeriodType.Week, VrpPeriodAlignment.Calendar, "2026-02-01T12:00:00Z", "2026-01-26T00:00:00Z", "2026-02-02T00:00:00Z" },
        { VrpPeriodType.Week, VrpPeriodAlignment.Consent, "2026-02-07T10:00:00Z", "2026-02-07T10:00:00Z", "2026-02-14T10:00:00Z" },
        { VrpPeriodType.Fortnight, VrpPeriodAlignment.Consent, "2026-02-13T23:00:00Z", "2026-01-31T10:00:00Z", "2026-02-14T10:00:00Z" },
        { VrpPeriodType.Month, VrpPeriodAlignment.Consent, "2026-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z" }, // months count from the anchor: 31 Jan + 2 = 31 Mar
        { VrpPeriodType.Month, VrpPeriodAlignment.Consent, "2026-02-27T10:00:00Z", "2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z" },
        { VrpPeriodType.Month, VrpPeriodAlignment.Calendar, "2026-02-27T10:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z" },
        { VrpPeriodType.HalfYear, VrpPeriodAlignment.Calendar, "2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        { VrpPeriodType.HalfYear, VrpPeriodAlignment.Consent, "2026-08-01T00:00:00Z", "2026-07-31T10:00:00Z", "2027-01-31T10:00:00Z" },
        { VrpPeriodType.Year, VrpPeriodAlignment.Calendar, "2026-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        { VrpPeriodType.Year, VrpPeriodAlignment.Consent, "2027-01-31T10:00:00Z", "2027-01-31T10:00:00Z", "2028-01-31T10:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void PeriodAt_ConsentAndCalendarAlignment_Boundaries(VrpPeriodType type, VrpPeriodAlignment alignment, string at, string start, string end)
    {
        var (s, e) = new VrpPeriodicLimit(type, alignment, 100).PeriodAt(Anchor, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        s.ShouldBe(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        e.ShouldBe(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LimitRefusal_EachLimitAndTheBoundary()
    {
        var consent = Stored(new VrpConsentTerms(5_000, [new VrpPeriodicLimit(VrpPeriodType.Day, VrpPeriodAlignment.Consent, 8_000), new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Calendar, 10_000)]));
        var now = Anchor.AddHours(1);
        List<SweepStatus> counted = [Sweep(4_000, Anchor.AddMinutes(5)), Sweep(3_000, Anchor.AddMinutes(10))];

        VrpSweepService.LimitRefusal(consent, counted, 5_001, now)!.Value.Item1.ShouldBe(SweepRefusal.ExceedsMaximumIndividualAmount);
        VrpSweepService.LimitRefusal(consent, counted, 1_000, now).ShouldBeNull();           // exactly the day's 80.00
        var day = VrpSweepService.LimitRefusal(consent, counted, 1_001, now)!.Value;
        day.Item1.ShouldBe(SweepRefusal.ExceedsPeriodicLimit);
        day.Item2.ShouldStartWith("PeriodicLimits[0]");

        // Next consent day: the day is fresh, the calendar month (February from the 1st) too; 31 Jan's sweeps are January's.
        VrpSweepService.LimitRefusal(consent, counted, 5_000, Anchor.AddDays(1)).ShouldBeNull();

        // Same month, a later day: the month limit bites.
        List<SweepStatus> february = [Sweep(5_000, new DateTimeOffset(2026, 2, 2, 11, 0, 0, TimeSpan.Zero)), Sweep(4_000, new DateTimeOffset(2026, 2, 3, 11, 0, 0, TimeSpan.Zero))];
        var month = VrpSweepService.LimitRefusal(consent, february, 1_001, new DateTimeOffset(2026, 2, 10, 11, 0, 0, TimeSpan.Zero))!.Value;
        month.Item2.ShouldStartWith("PeriodicLimits[1]");
    }

    [Fact]
    public void LimitRefusal_SweepStampedBeforeTheAnchor_CountsInTheFirstPeriod()
    {
        // This clock behind the bank's: the sweep's local stamp precedes the consent's creation at the bank.
        var consent = Stored(new VrpConsentTerms(5_000, [new VrpPeriodicLimit(VrpPeriodType.Day, VrpPeriodAlignment.Consent, 5_000)]));
        List<SweepStatus> counted = [Sweep(5_000, Anchor.AddSeconds(-2))];
        VrpSweepService.LimitRefusal(consent, counted, 1, Anchor.AddSeconds(-1))!.Value.Item1.ShouldBe(SweepRefusal.ExceedsPeriodicLimit);
    }

    [Fact]
    public void Allowance_SmallestOfTheMaximumAndWhatEachLimitHasLeft()
    {
        var consent = Stored(new VrpConsentTerms(5_000, [new VrpPeriodicLimit(VrpPeriodType.Day, VrpPeriodAlignment.Consent, 8_000), new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Calendar, 10_000)]));
        var now = Anchor.AddHours(1);
        VrpSweepService.Allowance(consent, [], now).ShouldBe(5_000);
        VrpSweepService.Allowance(consent, [Sweep(4_000, Anchor.AddMinutes(5))], now).ShouldBe(4_000);
        VrpSweepService.Allowance(consent, [Sweep(4_000, Anchor.AddMinutes(5)), Sweep(4_000, Anchor.AddMinutes(6))], now).ShouldBe(0);

        // Every allowance is accepted by the limit check, one penny more is not.
        List<SweepStatus> counted = [Sweep(3_333, Anchor.AddMinutes(5))];
        var allowance = VrpSweepService.Allowance(consent, counted, now);
        VrpSweepService.LimitRefusal(consent, counted, allowance, now).ShouldBeNull();
        VrpSweepService.LimitRefusal(consent, counted, allowance + 1, now).ShouldNotBeNull();
    }

    private static StoredVrpConsent Stored(VrpConsentTerms terms) =>
        new("vrpc-1", "acme", VrpConsentStatus.Authorised, Anchor, terms, Platform, null, "t", Anchor.AddHours(1), "r");

    private static SweepStatus Sweep(long amount, DateTimeOffset created) =>
        new(Guid.NewGuid().ToString(), "acme", "vrpc-1", amount, SweepState.Completed, "p", null, null, null, [], null, created, created);
}

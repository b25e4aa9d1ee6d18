using System.Numerics;
using Settlement.DashboardService.Snapshots;

namespace Settlement.Dashboard.BrowserTests;

/// <summary>The chart's rates from successive upstream counters (no browser needed): per merchant and per channel.</summary>
public sealed class RateTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, BigInteger> Paid(params (string Id, long Paid)[] channels) =>
        channels.ToDictionary(c => c.Id, c => new BigInteger(c.Paid), StringComparer.Ordinal);

    private static Dictionary<string, long> Accepted(params (string Id, long Count)[] channels) =>
        channels.ToDictionary(c => c.Id, c => c.Count, StringComparer.Ordinal);

    [Fact]
    public void Record_TwoReads_MerchantAndPerChannelVouchersPerSecondAndValuePerMinute()
    {
        var rates = new RateTracker();
        rates.Record(T0, 10, Paid(("a", 1_000), ("b", 500)), Accepted(("a", 6), ("b", 4))).ShouldBe((null, null));

        var (vps, vpm) = rates.Record(T0.AddSeconds(2), 30, Paid(("a", 3_000), ("b", 500)), Accepted(("a", 26), ("b", 4)));

        vps.ShouldBe(10.0);                          // (30 − 10) / 2 s
        vpm.ShouldBe(new BigInteger(60_000));       // 2,000 in 2 s
        rates.ChannelVouchersPerSecond("a").ShouldBe(10.0);
        rates.ChannelVouchersPerSecond("b").ShouldBe(0.0);
        rates.ChannelRate("a").ShouldBe(new BigInteger(60_000));
        rates.ChannelRate("b").ShouldBe(BigInteger.Zero);
        var point = rates.Series()["channels"]!["a"]!.AsArray().ShouldHaveSingleItem()!;
        point["vouchersPerSecond"]!.GetValue<double>().ShouldBe(10.0);
        point["valuePerMinute"]!.GetValue<string>().ShouldBe("60000");
    }

    [Fact]
    public void Record_ChannelCounterWentDown_NoNegativeRate_SeriesStartsAgain()
    {
        var rates = new RateTracker();
        rates.Record(T0, 10, Paid(("a", 1_000)), Accepted(("a", 9)));

        rates.Record(T0.AddSeconds(1), 2, Paid(("a", 1_100)), Accepted(("a", 2))); // the payee restarted

        rates.ChannelVouchersPerSecond("a").ShouldBeNull();
        rates.Record(T0.AddSeconds(2), 4, Paid(("a", 1_200)), Accepted(("a", 4)));
        rates.ChannelVouchersPerSecond("a").ShouldBe(2.0);
    }

    [Fact]
    public void Record_NoPerChannelCounter_ValueRateOnly()
    {
        var rates = new RateTracker();
        rates.Record(T0, null, Paid(("a", 0)));
        rates.Record(T0.AddSeconds(60), null, Paid(("a", 600)));

        rates.ChannelRate("a").ShouldBe(new BigInteger(600));
        rates.ChannelVouchersPerSecond("a").ShouldBeNull();
        rates.ChannelVouchersPerSecond("unknown").ShouldBeNull();
    }
}

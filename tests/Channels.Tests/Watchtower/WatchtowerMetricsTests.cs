using Settlement.Channels.Watchtower;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// The watchtower's instruments as an exporter sees them (names and units as docs/watchtower.md lists them) and the
/// snapshot's keys. The counts after intake and follower actions are asserted in <see cref="DelegationIntakeTests"/> and
/// <see cref="WatchtowerFollowerTests"/>.
/// </summary>
public sealed class WatchtowerMetricsTests
{
    [Fact]
    public void Instruments_OnTheSettlementWatchtowerMeter_NamesAndUnitsAsDocumented()
    {
        using var recorder = WatchtowerMeterAssertions.Record();

        recorder.MeterNames.ShouldBe(["Settlement.Watchtower"]);
        var instruments = recorder.Instruments.ToDictionary(i => i.Name, i => i.Unit);
        instruments.ShouldBe(new Dictionary<string, string?>
        {
            ["watchtower.delegations.accepted"] = "{voucher}",
            ["watchtower.delegations.refused"] = "{voucher}",
            ["watchtower.blocks.scanned"] = "{block}",
            ["watchtower.reorgs"] = "{reorg}",
            ["watchtower.disputes.submitted"] = "{transaction}",
            ["watchtower.disputes.resent"] = "{transaction}",
            ["watchtower.settles.submitted"] = "{transaction}",
            ["watchtower.alerts"] = "{alert}",
        });
        recorder.Instruments.ShouldAllBe(i => !string.IsNullOrWhiteSpace(i.Description) && i.Description!.EndsWith('.'));
        recorder.Instruments.Select(i => i.Description).Distinct().Count().ShouldBe(8);
    }

    [Fact]
    public void Snapshot_New_EveryTotalZero_UnderItsName()
    {
        using var metrics = new WatchtowerMetrics();

        metrics.Snapshot().ShouldBe(new Dictionary<string, long>
        {
            ["delegationsAccepted"] = 0,
            ["delegationsRefused"] = 0,
            ["blocksScanned"] = 0,
            ["reorgs"] = 0,
            ["disputesSubmitted"] = 0,
            ["disputesResent"] = 0,
            ["settlesSubmitted"] = 0,
            ["alerts"] = 0,
        });
    }
}

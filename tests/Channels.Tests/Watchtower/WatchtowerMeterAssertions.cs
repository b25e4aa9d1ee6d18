using Settlement.Channels.Tests.Support;
using Settlement.Channels.Watchtower;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>The watchtower's metrics recorded, and read both ways: from the meter and from <see cref="WatchtowerMetrics.Snapshot"/>.</summary>
internal static class WatchtowerMeterAssertions
{
    /// <summary>A recorder of a new <see cref="WatchtowerMetrics"/> made through the recorder's own meter factory.</summary>
    public static MeterRecorder<WatchtowerMetrics> Record() => new(factory => new WatchtowerMetrics(factory));

    /// <summary>Asserts the meter's total for <paramref name="key"/> and the snapshot's <paramref name="snapshotKey"/> are both <paramref name="expected"/>.</summary>
    public static void ShouldCount(this MeterRecorder<WatchtowerMetrics> recorder, string key, string snapshotKey, long expected)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        recorder.Total(key).ShouldBe(expected, key);
        recorder.Metrics.Snapshot()[snapshotKey].ShouldBe(expected, snapshotKey);
    }
}

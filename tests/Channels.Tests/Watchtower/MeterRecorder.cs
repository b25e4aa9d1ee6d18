using System.Diagnostics.Metrics;
using Settlement.Channels.Watchtower;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// A <see cref="WatchtowerMetrics"/> created through its own meter factory, with a <see cref="MeterListener"/> on that
/// meter only (other tests' meters of the same name are not counted): totals per instrument and tag, and the instruments
/// as a metrics exporter sees them.
/// </summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly RecordingMeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly List<Instrument> _instruments = [];

    public MeterRecorder()
    {
        Metrics = new WatchtowerMetrics(_factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_factory.Meters.Any(m => ReferenceEquals(m, instrument.Meter)))
            {
                lock (_instruments)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"/{tag.Key}={tag.Value}";
            }

            lock (_totals)
            {
                _totals[key] = _totals.GetValueOrDefault(key) + value;
            }
        });
        _listener.Start();
    }

    public WatchtowerMetrics Metrics { get; }

    /// <summary>The names of the meters the metrics asked the factory for.</summary>
    public IReadOnlyList<string> MeterNames => _factory.Meters.Select(m => m.Name).ToList();

    public IReadOnlyList<Instrument> Instruments
    {
        get
        {
            lock (_instruments)
            {
                return _instruments.ToList();
            }
        }
    }

    /// <summary>The total measured on <paramref name="key"/> (instrument name, then <c>/tag=value</c> per tag).</summary>
    public long Total(string key)
    {
        lock (_totals)
        {
            return _totals.GetValueOrDefault(key);
        }
    }

    /// <summary>Every key measured so far.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_totals)
            {
                return _totals.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Asserts the meter's total for <paramref name="key"/> and the snapshot's <paramref name="snapshotKey"/> are both <paramref name="expected"/>.</summary>
    public void ShouldCount(string key, string snapshotKey, long expected)
    {
        Total(key).ShouldBe(expected, key);
        Metrics.Snapshot()[snapshotKey].ShouldBe(expected, snapshotKey);
    }

    public void Dispose()
    {
        _listener.Dispose();
        Metrics.Dispose();
        _factory.Dispose();
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }
}

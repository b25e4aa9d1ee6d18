using System.Diagnostics.Metrics;

namespace Settlement.Channels.Tests.Support;

/// <summary>
/// Metrics (<typeparamref name="TMetrics"/>: the payee's, the payee policy's, the watchtower's) created through their
/// own meter factory, with a <see cref="MeterListener"/> on that factory's meters only (other tests' meters of the
/// same name are not counted): integer totals per instrument and tag, every single measurement, and the instruments
/// as an exporter sees them.
/// </summary>
internal sealed class MeterRecorder<TMetrics> : IDisposable
    where TMetrics : IDisposable
{
    private readonly RecordingMeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly List<(string Key, double Value)> _measurements = [];
    private readonly List<Instrument> _instruments = [];

    public MeterRecorder(Func<IMeterFactory, TMetrics> create)
    {
        ArgumentNullException.ThrowIfNull(create);
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
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(Key(instrument, tags), value, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(Key(instrument, tags), value, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(Key(instrument, tags), total: null, value));
        _listener.Start();
        Metrics = create(_factory);
    }

    public TMetrics Metrics { get; }

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

    /// <summary>Every measurement, in order: key (instrument name, then <c>/tag=value</c> per tag) and value.</summary>
    public IReadOnlyList<(string Key, double Value)> Measurements
    {
        get
        {
            lock (_totals)
            {
                return _measurements.ToList();
            }
        }
    }

    /// <summary>
    /// The total of the integer (<see cref="long"/>, <see cref="int"/>) measurements on <paramref name="key"/>
    /// (instrument name, then <c>/tag=value</c> per tag); floating-point ones (durations) are in <see cref="Measurements"/>.
    /// </summary>
    public long Total(string key)
    {
        lock (_totals)
        {
            return _totals.GetValueOrDefault(key);
        }
    }

    /// <summary>Every key measured so far, sorted.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_totals)
            {
                return _measurements.Select(m => m.Key).Distinct().Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        Metrics.Dispose();
        _factory.Dispose();
    }

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = instrument.Name;
        foreach (var tag in tags)
        {
            key += $"/{tag.Key}={tag.Value}";
        }

        return key;
    }

    private void Add(string key, long? total, double value)
    {
        lock (_totals)
        {
            if (total is { } integer)
            {
                _totals[key] = _totals.GetValueOrDefault(key) + integer;
            }

            _measurements.Add((key, value));
        }
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

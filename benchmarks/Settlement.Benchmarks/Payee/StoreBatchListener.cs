using System.Diagnostics.Metrics;
using Settlement.Channels.Payee;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// Listens to the engine's group-commit instruments (<c>payee.store.batch.size</c>, <c>payee.store.batch.duration</c>)
/// while alive: how many vouchers each store transaction carried and how long its write and flush took.
/// </summary>
internal sealed class StoreBatchListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<double> _milliseconds = [];
    private long _batches;
    private long _vouchers;

    public StoreBatchListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PayeeMetrics.MeterName && instrument.Name.StartsWith("payee.store.batch.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _vouchers, size);
        });
        _listener.SetMeasurementEventCallback<double>((_, milliseconds, _, _) =>
        {
            lock (_milliseconds)
            {
                _milliseconds.Add(milliseconds);
            }
        });
        _listener.Start();
    }

    public double MeanSize => _batches == 0 ? 0 : (double)_vouchers / _batches;

    /// <summary>A percentile of the batches' write-and-flush times, in milliseconds.</summary>
    public double DurationPercentile(double percent)
    {
        lock (_milliseconds)
        {
            return Stats.Percentile(_milliseconds, percent);
        }
    }

    public void Dispose() => _listener.Dispose();
}

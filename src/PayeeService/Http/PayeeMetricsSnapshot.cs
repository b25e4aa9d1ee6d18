using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Settlement.Channels.Payee;

namespace Settlement.PayeeService.Http;

/// <summary>
/// Listens to the <c>Settlement.Payee</c> meter and keeps totals for <c>GET /metrics</c>: vouchers accepted, duplicate
/// and rejected (by code), and store batches (count, vouchers, time). Rates are the difference of two reads.
/// </summary>
internal sealed class PayeeMetricsSnapshot : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private long _accepted;
    private long _duplicate;
    private long _batches;
    private long _batchedVouchers;
    private long _storeMicroseconds;
    private long _storeMaxMicroseconds;

    public PayeeMetricsSnapshot(TimeProvider time)
    {
        _time = time;
        _started = time.GetUtcNow();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PayeeMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            switch (instrument.Name)
            {
                case "payee.vouchers.accepted":
                    Interlocked.Add(ref _accepted, value);
                    break;
                case "payee.vouchers.duplicate":
                    Interlocked.Add(ref _duplicate, value);
                    break;
                case "payee.vouchers.rejected":
                    var code = "unknown";
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "code" && tag.Value is string text)
                        {
                            code = text;
                        }
                    }

                    _rejected.AddOrUpdate(code, value, (_, old) => old + value);
                    break;
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "payee.store.batch.size")
            {
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _batchedVouchers, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "payee.store.batch.duration")
            {
                var micros = (long)(value * 1000);
                Interlocked.Add(ref _storeMicroseconds, micros);
                long max;
                while (micros > (max = Interlocked.Read(ref _storeMaxMicroseconds))
                       && Interlocked.CompareExchange(ref _storeMaxMicroseconds, micros, max) != max)
                {
                }
            }
        });
        _listener.Start();
    }

    public object Read()
    {
        var batches = Interlocked.Read(ref _batches);
        return new
        {
            since = _started,
            uptimeSeconds = (long)(_time.GetUtcNow() - _started).TotalSeconds,
            vouchers = new
            {
                accepted = Interlocked.Read(ref _accepted),
                duplicate = Interlocked.Read(ref _duplicate),
                rejected = _rejected.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            },
            store = new
            {
                batches,
                vouchers = Interlocked.Read(ref _batchedVouchers),
                meanBatchMilliseconds = batches == 0 ? 0 : Interlocked.Read(ref _storeMicroseconds) / batches / 1000.0,
                maxBatchMilliseconds = Interlocked.Read(ref _storeMaxMicroseconds) / 1000.0,
            },
        };
    }

    public void Dispose() => _listener.Dispose();
}

using System.Diagnostics.Metrics;

namespace Settlement.Channels.Payee;

/// <summary>
/// The payee's metrics on the <c>Settlement.Payee</c> meter: vouchers accepted, duplicate and rejected (tagged with
/// the code), store batch size and latency. Any OpenTelemetry or <see cref="MeterListener"/> can read them.
/// </summary>
public sealed class PayeeMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Settlement.Payee";

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _duplicate;
    private readonly Counter<long> _rejected;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchMilliseconds;

    /// <summary>Creates the instruments (through <paramref name="meterFactory"/> when given, as DI does).</summary>
    public PayeeMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _accepted = _meter.CreateCounter<long>("payee.vouchers.accepted", "{voucher}", "Vouchers stored as the newest of their channel.");
        _duplicate = _meter.CreateCounter<long>("payee.vouchers.duplicate", "{voucher}", "Vouchers that repeated the stored newest.");
        _rejected = _meter.CreateCounter<long>("payee.vouchers.rejected", "{voucher}", "Vouchers refused, by code.");
        _batchSize = _meter.CreateHistogram<int>("payee.store.batch.size", "{voucher}", "Vouchers per store transaction (group commit).");
        _batchMilliseconds = _meter.CreateHistogram<double>("payee.store.batch.duration", "ms", "Time to write and flush one batch.");
    }

    internal void Outcome(VoucherOutcome outcome)
    {
        switch (outcome)
        {
            case VoucherAccepted:
                _accepted.Add(1);
                break;
            case VoucherDuplicate:
                _duplicate.Add(1);
                break;
            case VoucherRejected rejected:
                _rejected.Add(1, new KeyValuePair<string, object?>("code", rejected.Code.ToString()));
                break;
        }
    }

    internal void StoreBatch(int size, TimeSpan elapsed)
    {
        _batchSize.Record(size);
        _batchMilliseconds.Record(elapsed.TotalMilliseconds);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

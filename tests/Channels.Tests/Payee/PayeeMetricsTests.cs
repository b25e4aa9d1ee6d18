using System.Diagnostics.Metrics;
using Settlement.Channels.Payee;
using Settlement.Channels.Tests.Support;

namespace Settlement.Channels.Tests.Payee;

public sealed class PayeeMetricsTests : IDisposable
{
    private readonly MeterRecorder<PayeeMetrics> _meters = new(f => new PayeeMetrics(f));

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Instruments_NamesUnitsAndKindsOfDocsPayee()
    {
        // docs/payee.md, GET /metrics/prometheus: payee_vouchers_accepted_total, payee_vouchers_duplicate_total,
        // payee_vouchers_rejected_total{code}, payee_store_batch_size, payee_store_batch_duration_milliseconds.
        _meters.MeterNames.ShouldBe(["Settlement.Payee"]);
        PayeeMetrics.MeterName.ShouldBe("Settlement.Payee");
        var instruments = _meters.Instruments.ToDictionary(i => i.Name);
        instruments.Keys.Order(StringComparer.Ordinal).ShouldBe(
            ["payee.store.batch.duration", "payee.store.batch.size", "payee.vouchers.accepted", "payee.vouchers.duplicate", "payee.vouchers.rejected"]);
        instruments["payee.vouchers.accepted"].ShouldBeOfType<Counter<long>>().Unit.ShouldBe("{voucher}");
        instruments["payee.vouchers.duplicate"].ShouldBeOfType<Counter<long>>().Unit.ShouldBe("{voucher}");
        instruments["payee.vouchers.rejected"].ShouldBeOfType<Counter<long>>().Unit.ShouldBe("{voucher}");
        instruments["payee.store.batch.size"].ShouldBeOfType<Histogram<int>>().Unit.ShouldBe("{voucher}");
        instruments["payee.store.batch.duration"].ShouldBeOfType<Histogram<double>>().Unit.ShouldBe("ms");
        instruments["payee.vouchers.accepted"].Description.ShouldBe("Vouchers stored as the newest of their channel.");
        instruments["payee.vouchers.duplicate"].Description.ShouldBe("Vouchers that repeated the stored newest.");
        instruments["payee.vouchers.rejected"].Description.ShouldBe("Vouchers refused, by code.");
        instruments["payee.store.batch.size"].Description.ShouldBe("Vouchers per store transaction (group commit).");
        instruments["payee.store.batch.duration"].Description.ShouldBe("Time to write and flush one batch.");
    }

    [Fact]
    public void Outcome_EachKindCountedOnItsInstrument_RejectionsTaggedWithTheCode()
    {
        _meters.Metrics.Outcome(new VoucherAccepted(10, 10));
        _meters.Metrics.Outcome(new VoucherAccepted(20, 10));
        _meters.Metrics.Outcome(new VoucherDuplicate(20));
        _meters.Metrics.Outcome(new VoucherRejected(VoucherRejectCode.UnknownChannel, 0));
        _meters.Metrics.Outcome(new VoucherRejected(VoucherRejectCode.VelocityLimit, 20));
        _meters.Metrics.Outcome(new VoucherRejected(VoucherRejectCode.VelocityLimit, 20));

        _meters.Keys.ShouldBe(
        [
            "payee.vouchers.accepted",
            "payee.vouchers.duplicate",
            "payee.vouchers.rejected/code=UnknownChannel",
            "payee.vouchers.rejected/code=VelocityLimit",
        ]);
        _meters.Total("payee.vouchers.accepted").ShouldBe(2);
        _meters.Total("payee.vouchers.duplicate").ShouldBe(1);
        _meters.Total("payee.vouchers.rejected/code=UnknownChannel").ShouldBe(1);
        _meters.Total("payee.vouchers.rejected/code=VelocityLimit").ShouldBe(2);
    }

    [Fact]
    public void StoreBatch_SizeAndMilliseconds()
    {
        _meters.Metrics.StoreBatch(17, TimeSpan.FromMicroseconds(2_500));

        _meters.Measurements.ShouldBe([("payee.store.batch.size", 17d), ("payee.store.batch.duration", 2.5d)]);
    }

    [Fact]
    public void Dispose_TheMeterStopsPublishing()
    {
        using var meters = new MeterRecorder<PayeeMetrics>(f => new PayeeMetrics(f));
        meters.Metrics.Dispose();

        meters.Metrics.Outcome(new VoucherAccepted(1, 1));

        meters.Keys.ShouldBeEmpty();
    }

    [Fact]
    public void WithoutFactory_OwnMeterOfTheSameName()
    {
        using var listener = new MeterListener();
        var names = new List<string>();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == PayeeMetrics.MeterName && instrument.Name == "payee.vouchers.accepted")
            {
                lock (names)
                {
                    names.Add(instrument.Meter.Name);
                }
            }
        };
        listener.Start();

        using var metrics = new PayeeMetrics();

        names.ShouldContain(PayeeMetrics.MeterName);
    }
}

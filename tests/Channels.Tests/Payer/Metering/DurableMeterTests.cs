using System.Numerics;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Tests.Payer.Metering;

/// <summary>
/// Durable meters (<see cref="UsageMeter.OpenAsync"/>): a payer restarted mid-metering continues from the stored totals,
/// never charges a use twice and never forgets one, including when it stopped between the meter's write-ahead and the
/// voucher's durable write. The reference is the same sequence of uses on a meter that never restarted.
/// </summary>
public sealed class DurableMeterTests
{
    private static readonly MeterOptions Bytes = new() { Price = new MeterPrice(3, 1_000), MaxUnpaidCredit = 20, PayAhead = 50 };

    [Fact]
    public async Task OpenAsync_RestartMidMetering_SameTotalsAndVouchersAsAMeterThatNeverRestarted()
    {
        var reference = await RunWithoutRestartAsync(12);
        using var w = new PayerWorld(100_000);

        await using (var client = w.NewClient())
        {
            using var meter = await UsageMeter.OpenAsync(await w.ChannelAsync(client), Bytes);
            meter.IsDurable.ShouldBeTrue();
            for (var i = 0; i < 7; i++)
            {
                await meter.RecordAsync(1_500);
            }
        }

        await using var restarted = w.NewClient();
        var channel = await w.ChannelAsync(restarted);
        using var again = await UsageMeter.OpenAsync(channel, Bytes);
        again.Units.ShouldBe(new BigInteger(7 * 1_500));
        for (var i = 0; i < 5; i++)
        {
            await again.RecordAsync(1_500);
        }

        var end = await again.SettleUpAsync();

        again.Units.ShouldBe(reference.Units);
        again.Paid.ShouldBe(reference.Paid);
        channel.Signed.ShouldBe(reference.Signed);
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(reference.Signed);
        end.Due.ShouldBe(new Bytes3Per1000().CostOf(12 * 1_500));
        (again.Paid - end.Due).ShouldBeInRange(BigInteger.Zero, new BigInteger(50));
    }

    [Fact]
    public async Task OpenAsync_StoppedAfterWriteAheadBeforeVoucherWasDurable_PaymentTakenBackAndPaidOnce()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100_000, store);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10) };
        BigInteger signedBefore;
        await using (var client = w.NewClient())
        {
            var channel = await w.ChannelAsync(client);
            using var meter = await UsageMeter.OpenAsync(channel, options);
            await meter.RecordAsync(3);
            signedBefore = channel.Signed;

            // The next voucher batch fails: the meter's write-ahead (units 5, paid 50, pending 20) is stored, the voucher
            // for 50 never is, so it never left the process.
            store.FailAfterBatches = store.Batches;
            await Should.ThrowAsync<InvalidOperationException>(() => meter.RecordAsync(2));
        }

        signedBefore.ShouldBe(new BigInteger(30));
        (await store.GetMeterAsync(w.Key, "meter")).ShouldBe(new PayerMeterState(w.Key, "meter", 5, 0, 50, 20, 30));
        store.FailAfterBatches = null;

        await using var restarted = w.NewClient();
        var again = await w.ChannelAsync(restarted);
        using var reopened = await UsageMeter.OpenAsync(again, options);

        reopened.Units.ShouldBe(new BigInteger(5)); // the use was recorded before the payment was asked for
        reopened.Paid.ShouldBe(new BigInteger(30)); // the payment whose voucher never became durable is taken back
        (await store.GetMeterAsync(w.Key, "meter")).ShouldBe(new PayerMeterState(w.Key, "meter", 5, 0, 30, 0, 0));
        var settled = await reopened.SettleUpAsync();
        settled.Payment.ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(50));
        again.Signed.ShouldBe(new BigInteger(50)); // exactly 5 units × 10: nothing lost, nothing twice
        (await reopened.SettleUpAsync()).Payment.ShouldBeNull();
    }

    [Fact]
    public async Task OpenAsync_StoppedAfterVoucherWasDurable_PaymentKept()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100_000, store);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10) };
        await using (var client = w.NewClient())
        {
            var channel = await w.ChannelAsync(client);
            using var meter = await UsageMeter.OpenAsync(channel, options);
            await meter.RecordAsync(4);
            channel.Signed.ShouldBe(new BigInteger(40));
        }

        // As if the process stopped right after the voucher for 40 became durable, with the write-ahead still pending.
        await store.SaveMeterAsync(new PayerMeterState(w.Key, "meter", 4, 0, 40, 40, 0));

        await using var restarted = w.NewClient();
        using var reopened = await UsageMeter.OpenAsync(await w.ChannelAsync(restarted), options);

        reopened.Paid.ShouldBe(new BigInteger(40));
        (await reopened.SettleUpAsync()).Payment.ShouldBeNull();
        (await store.GetMeterAsync(w.Key, "meter"))!.PendingPayment.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task OpenAsync_TimeMeterRestarted_BilledTimeContinues()
    {
        using var w = new PayerWorld(100_000);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock };
        await using (var client = w.NewClient())
        {
            using var meter = await UsageMeter.OpenAsync(await w.ChannelAsync(client), options);
            meter.Start();
            w.Clock.Advance(TimeSpan.FromSeconds(10.5));
            (await meter.TickAsync()).Paid.ShouldBe(new BigInteger(105));
        }

        w.Clock.Advance(TimeSpan.FromMinutes(5)); // down: not billed
        await using var restarted = w.NewClient();
        var channel = await w.ChannelAsync(restarted);
        using var again = await UsageMeter.OpenAsync(channel, options);
        again.Billed.ShouldBe(TimeSpan.FromSeconds(10.5));
        again.Units.ShouldBe(new BigInteger(10));
        again.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(4.5));
        var tick = await again.TickAsync();

        tick.Units.ShouldBe(new BigInteger(15));
        tick.Paid.ShouldBe(new BigInteger(150));
        channel.Signed.ShouldBe(new BigInteger(150));
    }

    [Fact]
    public async Task OpenAsync_TimeMeterReopened_SettleUpWithoutStart_BillsTheStoredTime()
    {
        using var w = new PayerWorld(100_000);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock };
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using (var meter = await UsageMeter.OpenAsync(channel, options))
        {
            meter.Start();
            w.Clock.Advance(TimeSpan.FromSeconds(10.5));
            (await meter.TickAsync()).Paid.ShouldBe(new BigInteger(105));
        }

        using var reopened = await UsageMeter.OpenAsync(channel, options);
        var end = await reopened.SettleUpAsync();

        // Billed by time (10.5 s), not by the whole seconds counted as units (10).
        end.Due.ShouldBe(new BigInteger(105));
        end.Payment.ShouldBeNull();
        channel.Signed.ShouldBe(new BigInteger(105));
    }

    [Fact]
    public async Task Tick_DepositUsedUp_PausedWithoutAPayment_BilledTimeStored()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100, store);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock };
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = await UsageMeter.OpenAsync(channel, options);
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(10));
        (await meter.TickAsync()).Paid.ShouldBe(new BigInteger(100)); // the whole deposit
        w.Clock.Advance(TimeSpan.FromSeconds(5));

        var paused = await meter.TickAsync();

        paused.Status.ShouldBe(MeterStatus.Paused);
        paused.Payment.ShouldBeNull();
        paused.Due.ShouldBe(new BigInteger(150));
        var stored = (await store.GetMeterAsync(w.Key, "meter"))!;
        (stored.Units, stored.Ticks, stored.Paid).ShouldBe((new BigInteger(15), TimeSpan.FromSeconds(15).Ticks, new BigInteger(100)));
        using var reopened = await UsageMeter.OpenAsync(channel, options);
        reopened.Billed.ShouldBe(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Tick_MeterSaveFails_ThrowsAndNothingBilled_TheNextTickBillsTheTime()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100_000, store);
        var options = new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock };
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = await UsageMeter.OpenAsync(channel, options);
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(10));
        await meter.TickAsync();
        store.FailMeterSavesAfter = store.MeterSaves;
        w.Clock.Advance(TimeSpan.FromSeconds(5));

        await Should.ThrowAsync<IOException>(() => meter.TickAsync());

        (meter.Units, meter.Billed, meter.Paid).ShouldBe((new BigInteger(10), TimeSpan.FromSeconds(10), new BigInteger(100)));
        channel.Signed.ShouldBe(new BigInteger(100));
        store.FailMeterSavesAfter = null;
        w.Clock.Advance(TimeSpan.FromSeconds(1));
        var tick = await meter.TickAsync();
        (tick.Units, tick.Paid).ShouldBe((new BigInteger(16), new BigInteger(160)));
    }

    [Fact]
    public async Task OpenAsync_TwoNames_KeptApart()
    {
        using var w = new PayerWorld(100_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var units = await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(1), Name = "units", MaxUnpaidCredit = 100 });
        using var bytes = await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(1), Name = "bytes", MaxUnpaidCredit = 100 });

        await units.RecordAsync(7);
        await bytes.RecordAsync(9);

        (await w.Store.GetMeterAsync(w.Key, "units"))!.Units.ShouldBe(new BigInteger(7));
        (await w.Store.GetMeterAsync(w.Key, "bytes"))!.Units.ShouldBe(new BigInteger(9));
        (await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(1), Name = "units" })).Units.ShouldBe(new BigInteger(7));
    }

    [Fact]
    public async Task Record_MeterSaveFails_ThrowsAndNothingCountedOrSigned()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100_000, store);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });
        await meter.RecordAsync(1);
        store.FailMeterSavesAfter = store.MeterSaves;

        await Should.ThrowAsync<IOException>(() => meter.RecordAsync(2));

        meter.Units.ShouldBe(BigInteger.One);
        meter.Paid.ShouldBe(new BigInteger(10));
        channel.Signed.ShouldBe(new BigInteger(10));
        (await store.GetMeterAsync(w.Key, "meter")).ShouldBe(new PayerMeterState(w.Key, "meter", 1, 0, 10, 10, 0));
    }

    [Fact]
    public async Task Record_PausedForLackOfDeposit_StoredTotalsUnchanged()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(100, store);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });
        await meter.RecordAsync(5);
        await channel.PayAsync(40); // another caller signs most of the rest away

        var outcome = await meter.RecordAsync(2); // 20 due, 10 left: paused before paying

        outcome.Status.ShouldBe(MeterStatus.Paused);
        var stored = (await store.GetMeterAsync(w.Key, "meter"))!;
        (stored.Units, stored.Paid).ShouldBe((new BigInteger(5), new BigInteger(50))); // the refused use is not recorded
        using var reopened = await UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), Name = "meter" });
        (reopened.Units, reopened.Paid).ShouldBe((new BigInteger(5), new BigInteger(50)));
    }

    [Fact]
    public async Task Record_ChannelRefusesThePayment_WriteAheadTakenBackOnDisk()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store);
        var record = (await store.GetChannelAsync(w.Key))!.Record;
        await store.SaveChannelAsync(record with { Status = PayerChannelStatus.Closing });
        await using var client = w.NewClient();
        using var meter = await UsageMeter.OpenAsync(await w.ChannelAsync(client), new MeterOptions { Price = MeterPrice.PerUnit(10) });

        var outcome = await meter.RecordAsync(2);

        outcome.Status.ShouldBe(MeterStatus.Paused);
        outcome.Payment.ShouldBeOfType<PaymentRefused>().Reason.ShouldBe(PaymentRefusalReason.ChannelClosing);
        (meter.Units, meter.Paid).ShouldBe((BigInteger.Zero, BigInteger.Zero));
        (await store.GetMeterAsync(w.Key, "meter")).ShouldBe(new PayerMeterState(w.Key, "meter", 0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task UsageMeter_MadeWithConstructor_StoresNothing()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        using var meter = new UsageMeter(await w.ChannelAsync(client), new MeterOptions { Price = MeterPrice.PerUnit(10) });

        await meter.RecordAsync(3);

        meter.IsDurable.ShouldBeFalse();
        (await w.Store.GetMeterAsync(w.Key, "meter")).ShouldBeNull();
    }

    private static async Task<(BigInteger Units, BigInteger Paid, BigInteger Signed)> RunWithoutRestartAsync(int uses)
    {
        using var w = new PayerWorld(100_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, Bytes);
        for (var i = 0; i < uses; i++)
        {
            await meter.RecordAsync(1_500);
        }

        await meter.SettleUpAsync();
        return (meter.Units, meter.Paid, channel.Signed);
    }

    private sealed class Bytes3Per1000
    {
        public BigInteger CostOf(BigInteger units) => new MeterPrice(3, 1_000).CostOf(units);
    }
}

using System.Numerics;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Tests.Payer;

public sealed class UsageMeterTests
{
    [Fact]
    public void CostOf_PricePerThousandBytes_RoundsTotalsUp()
    {
        var price = new MeterPrice(3, 1_000);

        price.CostOf(0).ShouldBe(BigInteger.Zero);
        price.CostOf(1).ShouldBe(BigInteger.One);
        price.CostOf(1_000).ShouldBe(new BigInteger(3));
        price.CostOf(1_001).ShouldBe(new BigInteger(4));
        price.CostOf(10_000_000).ShouldBe(new BigInteger(30_000));
        MeterPrice.PerUnit(7).CostOfTicks(TimeSpan.FromSeconds(2.5).Ticks).ShouldBe(new BigInteger(18));
    }

    [Fact]
    public async Task Record_PerUnitNoCredit_PaysEveryUnitExactly()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });

        for (var i = 0; i < 5; i++)
        {
            (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid);
        }

        meter.Paid.ShouldBe(new BigInteger(50));
        channel.Signed.ShouldBe(new BigInteger(50));
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(new BigInteger(50));
    }

    [Fact]
    public async Task Record_WithCreditAndPayAhead_UnpaidNeverAboveCreditAndPrepaidAtMostPayAhead()
    {
        using var w = new PayerWorld(100_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = new MeterPrice(3, 1_000), MaxUnpaidCredit = 20, PayAhead = 50 });
        var payments = 0;

        for (var i = 0; i < 200; i++)
        {
            var outcome = await meter.RecordAsync(1_500);
            outcome.Unpaid.ShouldBeLessThanOrEqualTo(new BigInteger(20));
            (outcome.Paid - outcome.Due).ShouldBeLessThanOrEqualTo(new BigInteger(50));
            payments += outcome.Status == MeterStatus.Paid ? 1 : 0;
        }

        meter.Units.ShouldBe(new BigInteger(300_000));
        channel.Signed.ShouldBe(meter.Paid);
        payments.ShouldBeLessThan(200); // batching: fewer vouchers than uses
    }

    [Fact]
    public async Task SettleUp_UnpaidWithinCredit_PaysExactlyWhatIsDue()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(7), MaxUnpaidCredit = 100 });
        (await meter.RecordAsync(3)).Status.ShouldBe(MeterStatus.Recorded);

        var settled = await meter.SettleUpAsync();

        settled.Status.ShouldBe(MeterStatus.Paid);
        settled.Paid.ShouldBe(new BigInteger(21));
        settled.Unpaid.ShouldBe(BigInteger.Zero);
        channel.Signed.ShouldBe(new BigInteger(21));
        (await meter.SettleUpAsync()).Payment.ShouldBeNull();
    }

    [Fact]
    public async Task Record_DepositRunsOut_PausesWithoutRecordingAndCallsLowBalanceOnce()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var calls = new List<LowBalance>();
        using var meter = new UsageMeter(channel, new MeterOptions
        {
            Price = MeterPrice.PerUnit(30),
            LowBalanceThreshold = 50,
            OnLowBalance = (low, _) =>
            {
                calls.Add(low);
                return Task.CompletedTask;
            },
        });

        (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid);
        calls.ShouldBeEmpty();
        (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid); // remaining 40 < 50
        calls.ShouldHaveSingleItem().Remaining.ShouldBe(new BigInteger(40));
        (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid); // remaining 10
        var paused = await meter.RecordAsync(1);

        paused.ShouldBe(new MeterOutcome(MeterStatus.Paused, 3, 90, 90, null));
        meter.IsPaused.ShouldBeTrue();
        channel.Signed.ShouldBe(new BigInteger(90));
        calls.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Tick_PerSecondOnFakeClock_BillsElapsedTimeAndPausesWhenDepositRunsOut()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), PayAhead = 50, TimeProvider = w.Clock });
        meter.Start();

        w.Clock.Advance(TimeSpan.FromSeconds(1));
        var first = await meter.TickAsync();
        first.ShouldBe(first with { Status = MeterStatus.Paid, Due = 10, Paid = 60 });
        w.Clock.Advance(TimeSpan.FromSeconds(4));
        (await meter.TickAsync()).Status.ShouldBe(MeterStatus.Recorded); // due 50 ≤ paid 60
        w.Clock.Advance(TimeSpan.FromSeconds(50));
        var late = await meter.TickAsync();
        late.Status.ShouldBe(MeterStatus.Paid);
        late.Due.ShouldBe(new BigInteger(550));
        late.Paid.ShouldBe(new BigInteger(600));
        w.Clock.Advance(TimeSpan.FromSeconds(100));
        var paused = await meter.TickAsync();

        paused.Status.ShouldBe(MeterStatus.Paused);
        paused.Paid.ShouldBe(new BigInteger(1_000));
        channel.Signed.ShouldBe(new BigInteger(1_000));
        channel.Remaining.ShouldBe(BigInteger.Zero);
        w.Clock.Advance(TimeSpan.FromSeconds(100));
        (await meter.TickAsync()).Paid.ShouldBe(new BigInteger(1_000)); // the clock is stopped while paused
    }

    [Fact]
    public async Task Record_AfterTopUpOfDeposit_ResumesFromPause()
    {
        using var w = new PayerWorld(50);
        await using (var client = w.NewClient())
        {
            var channel = await w.ChannelAsync(client);
            using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(30) });
            (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid);
            (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paused);
        }

        // The platform topped the channel up (the record's deposit as a chain refresh would store it).
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Deposit = 200 });
        await using var restarted = w.NewClient();
        var resumed = await w.ChannelAsync(restarted);
        using var again = new UsageMeter(resumed, new MeterOptions { Price = MeterPrice.PerUnit(30) });

        (await again.RecordAsync(1)).Status.ShouldBe(MeterStatus.Paid);
        resumed.Signed.ShouldBe(new BigInteger(60));
        resumed.Remaining.ShouldBe(new BigInteger(140));
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Open);
    }
}

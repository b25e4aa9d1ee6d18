using System.Numerics;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Tests.Payer.Metering;

/// <summary>The meter at its boundaries: exact credit, exact deposit, refusals, the time meter's clock and low balance.</summary>
public sealed class UsageMeterEdgeTests
{
    [Fact]
    public async Task Create_NullChannelOrOptions_ThrowsNamingIt()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        Should.Throw<ArgumentNullException>(() => new UsageMeter(null!, new MeterOptions { Price = MeterPrice.PerUnit(1) })).ParamName.ShouldBe("channel");
        Should.Throw<ArgumentNullException>(() => new UsageMeter(channel, null!)).ParamName.ShouldBe("options");
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    public async Task Create_NegativeCreditPayAheadOrThreshold_Throws(int credit, int payAhead, int threshold)
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var options = new MeterOptions { Price = MeterPrice.PerUnit(1), MaxUnpaidCredit = credit, PayAhead = payAhead, LowBalanceThreshold = threshold };

        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => new UsageMeter(channel, options));

        thrown.ParamName.ShouldBe("options");
        thrown.Message.ShouldStartWith("Credit, pay-ahead and threshold are not negative.");
    }

    [Fact]
    public async Task Record_NegativeUnits_ThrowsAndRecordsNothing()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });

        var thrown = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => meter.RecordAsync(-1));

        thrown.ParamName.ShouldBe("units");
        thrown.Message.ShouldStartWith("Usage is not negative.");

        meter.Units.ShouldBe(BigInteger.Zero);
        channel.Signed.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Record_ZeroUnits_RecordsNothingAndPaysNothing()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });

        (await meter.RecordAsync(0)).ShouldBe(new MeterOutcome(MeterStatus.Recorded, 0, 0, 0, null));

        channel.Signed.ShouldBe(BigInteger.Zero);
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task Record_UsageExactlyUsingTheDeposit_PaysItAllAndDoesNotPause()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(50) });

        var outcome = await meter.RecordAsync(2);

        outcome.Status.ShouldBe(MeterStatus.Paid);
        outcome.Paid.ShouldBe(new BigInteger(100));
        outcome.Payment.ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(100));
        meter.IsPaused.ShouldBeFalse();
        channel.Remaining.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Record_FirstUseBeyondDeposit_PausesUnrecordedCallsLowBalanceAndZeroUnitsResume()
    {
        using var w = new PayerWorld(10);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var calls = new List<LowBalance>();
        using var meter = new UsageMeter(channel, new MeterOptions
        {
            Price = MeterPrice.PerUnit(30),
            LowBalanceThreshold = 20,
            OnLowBalance = (low, _) =>
            {
                calls.Add(low);
                return Task.CompletedTask;
            },
        });

        var paused = await meter.RecordAsync(1);

        paused.ShouldBe(new MeterOutcome(MeterStatus.Paused, 0, 0, 0, null));
        meter.IsPaused.ShouldBeTrue();
        meter.Units.ShouldBe(BigInteger.Zero);
        calls.ShouldHaveSingleItem().ShouldBe(new LowBalance(w.Key, 10, 20));
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();

        (await meter.RecordAsync(0)).Status.ShouldBe(MeterStatus.Recorded);
        meter.IsPaused.ShouldBeFalse();
    }

    [Fact]
    public async Task Record_UnpaidExactlyAtCredit_RecordsWithoutPayingThenOneMoreUnitPays()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), MaxUnpaidCredit = 20 });

        (await meter.RecordAsync(2)).ShouldBe(new MeterOutcome(MeterStatus.Recorded, 2, 20, 0, null));
        channel.Signed.ShouldBe(BigInteger.Zero);

        var paid = await meter.RecordAsync(1);

        paid.Status.ShouldBe(MeterStatus.Paid);
        paid.Paid.ShouldBe(new BigInteger(30));
        channel.Signed.ShouldBe(new BigInteger(30));
        meter.IsPaused.ShouldBeFalse();
    }

    [Fact]
    public async Task Record_ChannelClosing_PausedWithTheRefusalNothingRecordedNothingPaid()
    {
        using var w = new PayerWorld(1_000);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Status = PayerChannelStatus.Closing });
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10) });

        var outcome = await meter.RecordAsync(1);

        outcome.ShouldBe(new MeterOutcome(MeterStatus.Paused, 0, 0, 0, new PaymentRefused(PaymentRefusalReason.ChannelClosing, 10, 0, 1_000)));
        meter.Units.ShouldBe(BigInteger.Zero); // not recorded, as for any pause
        meter.Paid.ShouldBe(BigInteger.Zero);
        meter.IsPaused.ShouldBeTrue();
        channel.Signed.ShouldBe(BigInteger.Zero);
        (await meter.SettleUpAsync()).ShouldBe(new MeterOutcome(MeterStatus.Recorded, 0, 0, 0, null)); // nothing owed
    }

    [Fact]
    public async Task LowBalance_RemainingExactlyAtThreshold_NotCalledBelowItCalledWithKeyRemainingAndThreshold()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var calls = new List<LowBalance>();
        using var meter = new UsageMeter(channel, new MeterOptions
        {
            Price = MeterPrice.PerUnit(50),
            LowBalanceThreshold = 50,
            OnLowBalance = (low, _) =>
            {
                calls.Add(low);
                return Task.CompletedTask;
            },
        });

        await meter.RecordAsync(1);
        calls.ShouldBeEmpty();

        await meter.RecordAsync(1);
        calls.ShouldHaveSingleItem().ShouldBe(new LowBalance(w.Key, 0, 50));
    }

    [Fact]
    public async Task SettleUp_AfterAnEarlierPayment_PaysOnlyTheUnpaidRest()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(7), MaxUnpaidCredit = 100 });
        (await meter.RecordAsync(20)).Paid.ShouldBe(new BigInteger(140));
        (await meter.RecordAsync(3)).Status.ShouldBe(MeterStatus.Recorded);

        var settled = await meter.SettleUpAsync();

        settled.Status.ShouldBe(MeterStatus.Paid);
        settled.Due.ShouldBe(new BigInteger(161));
        settled.Paid.ShouldBe(new BigInteger(161));
        settled.Payment.ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(161));
        channel.Signed.ShouldBe(new BigInteger(161));
    }

    [Fact]
    public async Task SettleUp_TimeMeter_PaysForTheTicksNotWholeSeconds()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), MaxUnpaidCredit = 100, TimeProvider = w.Clock });
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(2.5));
        var tick = await meter.TickAsync();
        tick.ShouldBe(new MeterOutcome(MeterStatus.Recorded, 2, 25, 0, null));

        var settled = await meter.SettleUpAsync();

        settled.Status.ShouldBe(MeterStatus.Paid);
        settled.Due.ShouldBe(new BigInteger(25));
        channel.Signed.ShouldBe(new BigInteger(25));
    }

    [Fact]
    public async Task Start_Twice_KeepsTheFirstStartTime()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), MaxUnpaidCredit = 500, TimeProvider = w.Clock });
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(3));
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(1));

        var tick = await meter.TickAsync();

        tick.Due.ShouldBe(new BigInteger(40));
        tick.Units.ShouldBe(new BigInteger(4));
        meter.IsPaused.ShouldBeFalse();
    }

    [Fact]
    public async Task Tick_BeforeStart_RecordsNothing()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock });
        w.Clock.Advance(TimeSpan.FromSeconds(5));

        (await meter.TickAsync()).ShouldBe(new MeterOutcome(MeterStatus.Recorded, 0, 0, 0, null));
        channel.Signed.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Tick_TimeExactlyUsingTheDeposit_PaysItAllAndKeepsRunning()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock });
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(10));

        var tick = await meter.TickAsync();

        tick.ShouldBe(tick with { Status = MeterStatus.Paid, Units = 10, Due = 100, Paid = 100 });
        meter.IsPaused.ShouldBeFalse();
        channel.Remaining.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Tick_BeyondDeposit_PaysTheRemainderStopsTheClockAndCallsLowBalance()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var calls = new List<LowBalance>();
        using var meter = new UsageMeter(channel, new MeterOptions
        {
            Price = MeterPrice.PerUnit(10),
            LowBalanceThreshold = 30,
            TimeProvider = w.Clock,
            OnLowBalance = (low, _) =>
            {
                calls.Add(low);
                return Task.CompletedTask;
            },
        });
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(15.5));

        var paused = await meter.TickAsync();

        paused.Status.ShouldBe(MeterStatus.Paused);
        paused.Units.ShouldBe(new BigInteger(15));
        paused.Due.ShouldBe(new BigInteger(155));
        paused.Paid.ShouldBe(new BigInteger(100));
        paused.Payment.ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(100));
        meter.IsPaused.ShouldBeTrue();
        calls.ShouldHaveSingleItem().ShouldBe(new LowBalance(w.Key, 0, 30));

        w.Clock.Advance(TimeSpan.FromSeconds(10));
        (await meter.TickAsync()).ShouldBe(new MeterOutcome(MeterStatus.Paused, 15, 155, 100, null));
    }

    [Fact]
    public async Task Tick_NothingLeftToSign_PausesWithoutAPayment()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(100);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), TimeProvider = w.Clock });
        meter.Start();
        w.Clock.Advance(TimeSpan.FromSeconds(1));

        var paused = await meter.TickAsync();

        paused.ShouldBe(new MeterOutcome(MeterStatus.Paused, 1, 10, 0, null));
        meter.IsPaused.ShouldBeTrue();
        channel.Signed.ShouldBe(new BigInteger(100));
    }
}

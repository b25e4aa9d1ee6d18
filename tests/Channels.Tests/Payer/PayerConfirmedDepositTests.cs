using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// <see cref="PayerClientOptions.DepositConfirmations"/> on a node in memory: deposits are read at head − confirmations,
/// never above the newest block's; the close state stays the newest block's. (On Anvil:
/// <c>AnvilPayerConfirmedDepositTests</c>.)
/// </summary>
public sealed class PayerConfirmedDepositTests
{
    [Fact]
    public async Task Refresh_ThreeConfirmations_ReadsHeadMinusThreeAndCountsOnlyThatDeposit()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 300, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 600, 0, 200, 0, 0);
        w.Chain.Head = 20;
        await using var client = w.NewClient(Options(w, 3));
        var channel = await w.ChannelAsync(client);

        var newest = await channel.RefreshAsync();

        newest.PayerDeposit.ShouldBe(new BigInteger(1_000));
        w.Chain.ConfirmedReads.ShouldBe([17UL]);
        channel.Deposit.ShouldBe(new BigInteger(600));
        channel.PayeeDeposit.ShouldBe(new BigInteger(200));
        channel.Remaining.ShouldBe(new BigInteger(600));
        (await w.Store.GetChannelAsync(w.Key))!.Record.Deposit.ShouldBe(new BigInteger(600));
        (await channel.PayAsync(601)).ShouldBeOfType<PaymentRefused>().Reason.ShouldBe(PaymentRefusalReason.ExceedsDeposit);
        (await channel.PayAsync(600)).ShouldBeOfType<PaymentSigned>();
    }

    [Fact]
    public async Task Refresh_ConfirmedAboveNewest_NewestCounts()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 500, 0, 50, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 900, 0, 90, 0, 0);
        await using var client = w.NewClient(Options(w, 1));
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Deposit.ShouldBe(new BigInteger(500));
        channel.PayeeDeposit.ShouldBe(new BigInteger(50));
    }

    [Fact]
    public async Task Refresh_NotYetConfirmed_NothingCountsAndARefundAboveZeroIsRefused()
    {
        using var w = new PayerWorld(1_000, withChain: true, payeeDeposit: 100);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 100, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Deposit.ShouldBe(BigInteger.Zero);
        channel.PayeeDeposit.ShouldBe(BigInteger.Zero);
        channel.Status.ShouldBe(PayerChannelStatus.Open); // the close state is the newest block's
        var voucher = new Voucher(w.Key.ChannelId, 10);
        (await channel.AcceptRefundAsync(new SignedVoucher(voucher, voucher.Sign(w.PayeeKey, w.Contract.Domain)))).Verdict.ShouldBe(RefundVerdict.ExceedsPayeeDeposit);
    }

    [Fact]
    public async Task Refresh_HeadBelowConfirmations_NothingCounts()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        w.Chain.Head = 4;
        await using var client = w.NewClient(Options(w, 5));
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Deposit.ShouldBe(BigInteger.Zero);
        w.Chain.ConfirmedReads.ShouldBeEmpty();
    }

    [Fact]
    public async Task Refresh_NoConfirmations_OneReadAtTheNewestBlock()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 1, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Deposit.ShouldBe(new BigInteger(1_000));
        w.Chain.StateReads.ShouldBe(1);
        w.Chain.ConfirmedReads.ShouldBeEmpty();
    }

    [Fact]
    public async Task Refresh_ChannelGone_StatusClosedAndDepositKept()
    {
        using var w = new PayerWorld(700, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        channel.Deposit.ShouldBe(new BigInteger(700));
        w.Chain.ConfirmedReads.ShouldBeEmpty();
    }

    [Fact]
    public async Task Open_WithConfirmations_StoresTheConfirmedDeposit()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.ConfirmedState = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 3));

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 5_000));

        channel.Deposit.ShouldBe(BigInteger.Zero);
        (await w.Store.GetChannelAsync(channel.Key))!.Record.Deposit.ShouldBe(BigInteger.Zero);
        w.Chain.ConfirmedReads.ShouldBe([5UL]);
    }

    [Fact]
    public async Task Adopt_WithConfirmations_StoresTheConfirmedDeposit()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 2_000, 0, 40, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 1_500, 0, 30, 0, 0);
        await using var client = w.NewClient(Options(w, 1));
        var parameters = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 77);

        var channel = await client.AdoptAsync(parameters);

        channel.Deposit.ShouldBe(new BigInteger(1_500));
        channel.PayeeDeposit.ShouldBe(new BigInteger(30));
    }

    [Fact]
    public async Task WaitForDeposit_AlreadyDeep_TrueAfterOneRead()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 600, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);

        (await channel.WaitForDepositAsync(600)).ShouldBeTrue();

        w.Chain.ConfirmedReads.Count.ShouldBe(1);
        channel.Deposit.ShouldBe(new BigInteger(600));
    }

    [Fact]
    public async Task WaitForDeposit_TopUpNotYetDeep_ReadsEveryIntervalUntilItCounts()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 600, 0, 0, 0, 0);
        var options = Options(w, 2);
        options.DepositPollInterval = TimeSpan.FromSeconds(5);
        await using var client = w.NewClient(options);
        var channel = await w.ChannelAsync(client);

        var wait = channel.WaitForDepositAsync(1_000);
        await EventuallyAsync(() => w.Chain.ConfirmedReads.Count == 1);
        w.Clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        await Task.Delay(20);
        w.Chain.ConfirmedReads.Count.ShouldBe(1); // not before the interval
        wait.IsCompleted.ShouldBeFalse();
        channel.Deposit.ShouldBe(new BigInteger(600));

        w.Clock.Advance(TimeSpan.FromTicks(1));
        await EventuallyAsync(() => w.Chain.ConfirmedReads.Count == 2);
        wait.IsCompleted.ShouldBeFalse(); // still 600 deep

        w.Chain.ConfirmedState = new ChannelState(true, 1_000, 0, 0, 0, 0); // the top-up is now 2 blocks deep
        w.Clock.Advance(TimeSpan.FromSeconds(5));

        (await wait.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
        w.Chain.ConfirmedReads.Count.ShouldBe(3);
        channel.Deposit.ShouldBe(new BigInteger(1_000));
        (await w.Store.GetChannelAsync(w.Key))!.Record.Deposit.ShouldBe(new BigInteger(1_000));
    }

    [Fact]
    public async Task WaitForDeposit_ChannelClosing_FalseAndNoFurtherRead()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 9_999);
        w.Chain.ConfirmedState = new ChannelState(true, 1_000, 0, 0, 0, 9_999);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);

        (await channel.WaitForDepositAsync(500)).ShouldBeFalse(); // closing: no deposit counts for payments any more

        w.Chain.ConfirmedReads.Count.ShouldBe(1);
        channel.Status.ShouldBe(PayerChannelStatus.Closing);
    }

    [Fact]
    public async Task WaitForDeposit_ChannelGone_False()
    {
        using var w = new PayerWorld(700, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);

        (await channel.WaitForDepositAsync(1)).ShouldBeFalse();

        channel.Status.ShouldBe(PayerChannelStatus.Closed);
    }

    [Fact]
    public async Task WaitForDeposit_Cancelled_ThrowsAndStopsReading()
    {
        using var w = new PayerWorld(0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        w.Chain.ConfirmedState = new ChannelState(true, 0, 0, 0, 0, 0);
        await using var client = w.NewClient(Options(w, 2));
        var channel = await w.ChannelAsync(client);
        using var cancel = new CancellationTokenSource();

        var wait = channel.WaitForDepositAsync(1_000, cancel.Token);
        await EventuallyAsync(() => w.Chain.ConfirmedReads.Count == 1);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => wait);
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(20);
        w.Chain.ConfirmedReads.Count.ShouldBe(1);
    }

    [Fact]
    public void NewClient_NonPositivePollInterval_Refused()
    {
        using var w = new PayerWorld(0, withChain: true);
        var options = Options(w, 1);
        options.DepositPollInterval = TimeSpan.Zero;

        Should.Throw<ArgumentOutOfRangeException>(() => w.NewClient(options)).Message.ShouldStartWith("DepositPollInterval must be positive.");
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition did not come true");
            await Task.Delay(5);
        }
    }

    private static PayerClientOptions Options(PayerWorld w, int confirmations) =>
        new() { TimeProvider = w.Clock, Transactor = w.Chain, DepositConfirmations = confirmations };
}

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

    private static PayerClientOptions Options(PayerWorld w, int confirmations) =>
        new() { TimeProvider = w.Clock, Transactor = w.Chain, DepositConfirmations = confirmations };
}

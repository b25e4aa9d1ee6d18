using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Transport.Http402;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer.Http;

/// <summary>
/// <see cref="PayerPaymentSource"/> over a real <see cref="PayerClient"/> (in-memory store, <see cref="FakeChain"/>):
/// which channel pays an offer, which offers it declines without signing, and the receipts it keeps.
/// </summary>
public sealed class PayerPaymentSourceTests
{
    [Fact]
    public async Task Create_NullClientOrNegativeDeposit_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();

        Should.Throw<ArgumentNullException>(() => new PayerPaymentSource(null!)).ParamName.ShouldBe("client");
        Should.Throw<ArgumentOutOfRangeException>(() => new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = -1 })).ParamName.ShouldBe("options");
    }

    [Fact]
    public async Task SignPayment_OpenChannelToThePayee_SignsTheNextCumulativeDurably()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(5);

        var voucher = await source.SignPaymentAsync(Offer(w, 10), 10, CancellationToken.None);

        voucher!.Voucher.ChannelId.ShouldBe(w.Key.ChannelId);
        voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(15));
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBe(voucher);
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("contract")]
    [InlineData("zero")]
    [InlineData("negative")]
    [InlineData("payee")]
    [InlineData("asset")]
    [InlineData("too-much")]
    public async Task SignPayment_OfferItCannotPay_DeclinedAndNothingSigned(string kind)
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);
        var offer = Offer(w, 10);
        BigInteger amount = 10;
        (offer, amount) = kind switch
        {
            "chain" => (offer with { ChainId = 1 }, amount),
            "contract" => (offer with { Contract = Address.Parse("0x00000000000000000000000000000000000000cc") }, amount),
            "zero" => (offer, BigInteger.Zero),
            "negative" => (offer, BigInteger.MinusOne),
            "payee" => (offer with { PayTo = w.StrangerKey.Address }, amount),
            "asset" => (offer with { Asset = Address.Parse("0x00000000000000000000000000000000000000aa") }, amount),
            _ => (offer, new BigInteger(1_001)),
        };

        (await source.SignPaymentAsync(offer, amount, CancellationToken.None)).ShouldBeNull();

        (await w.ChannelAsync(client)).Signed.ShouldBe(BigInteger.Zero);
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task SignPayment_NamedChannelOfThisPayer_PaidFromItRatherThanTheNewest()
    {
        using var w = new PayerWorld(1_000);
        var newer = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 2);
        await w.Store.SaveChannelAsync(new PayerChannelRecord(w.Key with { ChannelId = newer.Id }, newer, 500, 0, null, PayerChannelStatus.Open));
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);

        var named = await source.SignPaymentAsync(Offer(w, 10) with { ChannelId = w.Key.ChannelId }, 10, CancellationToken.None);
        var unnamed = await source.SignPaymentAsync(Offer(w, 10), 10, CancellationToken.None);

        named!.Voucher.ChannelId.ShouldBe(w.Key.ChannelId);
        unnamed!.Voucher.ChannelId.ShouldBe(newer.Id);
    }

    [Fact]
    public async Task SignPayment_NamedChannelWithExactlyTheAmountLeft_PaysFromIt()
    {
        using var w = new PayerWorld(10);
        var newer = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 2);
        await w.Store.SaveChannelAsync(new PayerChannelRecord(w.Key with { ChannelId = newer.Id }, newer, 500, 0, null, PayerChannelStatus.Open));
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);

        var voucher = await source.SignPaymentAsync(Offer(w, 10) with { ChannelId = w.Key.ChannelId }, 10, CancellationToken.None);

        voucher!.Voucher.ChannelId.ShouldBe(w.Key.ChannelId);
        (await w.ChannelAsync(client)).Remaining.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task SignPayment_NullOffer_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();

        (await Should.ThrowAsync<ArgumentNullException>(async () => await new PayerPaymentSource(client).SignPaymentAsync(null!, 1, CancellationToken.None))).ParamName.ShouldBe("offer");
    }

    [Fact]
    public async Task SignPayment_NamedChannelWithTooLittleLeft_AnotherOpenChannelPays()
    {
        using var w = new PayerWorld(1_000);
        var small = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 2);
        await w.Store.SaveChannelAsync(new PayerChannelRecord(w.Key with { ChannelId = small.Id }, small, 9, 0, null, PayerChannelStatus.Open));
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);

        var voucher = await source.SignPaymentAsync(Offer(w, 10) with { ChannelId = small.Id }, 10, CancellationToken.None);

        voucher!.Voucher.ChannelId.ShouldBe(w.Key.ChannelId);
        (await client.GetChannelAsync(small.Id))!.Signed.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task SignPayment_NamedChannelClosing_NotUsed()
    {
        using var w = new PayerWorld(1_000);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Status = PayerChannelStatus.Closing });
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);

        (await source.SignPaymentAsync(Offer(w, 10) with { ChannelId = w.Key.ChannelId }, 10, CancellationToken.None)).ShouldBeNull();

        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task SignPayment_NoChannelAndADeposit_OpensOneWithTheLargestOfDepositMinimumAndAmountAndPaysFromIt()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 300 });
        var offer = Offer(w, 10) with { PayTo = w.StrangerKey.Address, MinDeposit = 450 };

        var voucher = await source.SignPaymentAsync(offer, 10, CancellationToken.None);

        var open = w.Chain!.Sent.ShouldHaveSingleItem();
        open.Function.ShouldBe("open");
        open.Value.ShouldBe(new BigInteger(450));
        var opened = (await client.GetChannelAsync(voucher!.Voucher.ChannelId))!;
        opened.Parameters.Payee.ShouldBe(w.StrangerKey.Address);
        opened.Deposit.ShouldBe(new BigInteger(450));
        opened.Signed.ShouldBe(new BigInteger(10));
        voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task SignPayment_NoChannelAndNoDeposit_DeclinedWithoutOpening()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);

        (await source.SignPaymentAsync(Offer(w, 10) with { PayTo = w.StrangerKey.Address }, 10, CancellationToken.None)).ShouldBeNull();

        w.Chain!.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task SignPayment_ConcurrentOffersForANewPayee_ShareOneOpenedChannel()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 100 });
        var offer = Offer(w, 10) with { PayTo = w.StrangerKey.Address };

        var vouchers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => source.SignPaymentAsync(offer, 10, CancellationToken.None).AsTask()));

        w.Chain!.Functions.ShouldBe(["open"]);
        vouchers.Select(v => v!.Voucher.ChannelId).Distinct().ShouldHaveSingleItem();
        vouchers.Select(v => v!.Voucher.CumulativeAmount).Order().ShouldBe([10, 20, 30, 40]);
    }

    [Fact]
    public async Task SignPayment_NewPayeeWithDepositBelowTheAmount_OpensWithTheAmount()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 5, Funding = ChannelFunding.Allowance });
        var token = Address.Parse("0x00000000000000000000000000000000000000aa");

        var voucher = await source.SignPaymentAsync(Offer(w, 30) with { PayTo = w.StrangerKey.Address, Asset = token }, 30, CancellationToken.None);

        w.Chain!.Functions.ShouldBe(["open"]); // the allowance exists: no approve
        (await client.GetChannelAsync(voucher!.Voucher.ChannelId))!.Deposit.ShouldBe(new BigInteger(30));
    }

    [Fact]
    public async Task OnPaymentAccepted_ReceiptOfAKnownChannel_Kept_OtherwiseIgnored()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client);
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(40);
        var receipt = new ReceiptSigner(w.PayeeKey).Sign(w.Key, 40, 1_800_000_000);
        var offer = Offer(w, 10);

        await Should.ThrowAsync<ArgumentNullException>(async () => await source.OnPaymentAcceptedAsync(null!, new PaymentResponse(PayerWorld.ChainId, w.Key.ChannelId, 40, 10, 0, null, null), CancellationToken.None));
        await Should.ThrowAsync<ArgumentNullException>(async () => await source.OnPaymentAcceptedAsync(offer, null!, CancellationToken.None));
        await source.OnPaymentAcceptedAsync(offer, new PaymentResponse(PayerWorld.ChainId, w.Key.ChannelId, 40, 10, 0, null, null), CancellationToken.None);
        await source.OnPaymentAcceptedAsync(offer, new PaymentResponse(PayerWorld.ChainId, w.Key.ChannelId, 40, 10, 0, 1_800_000_000, null), CancellationToken.None);
        channel.NewestReceipt.ShouldBeNull();
        var unknown = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 77).Id;
        await source.OnPaymentAcceptedAsync(offer, new PaymentResponse(PayerWorld.ChainId, unknown, 40, 10, 0, 1_800_000_000, receipt.Signature), CancellationToken.None);
        channel.NewestReceipt.ShouldBeNull();

        await source.OnPaymentAcceptedAsync(offer, new PaymentResponse(PayerWorld.ChainId, w.Key.ChannelId, 40, 10, 0, 1_800_000_000, receipt.Signature), CancellationToken.None);

        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(40));
        channel.Acknowledged.ShouldBe(new BigInteger(40));
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldHaveSingleItem();
    }

    private static PaymentOffer Offer(PayerWorld w, BigInteger amount) =>
        new(PayerWorld.ChainId, PayerWorld.ContractAddress, w.PayeeKey.Address, Address.Zero, amount, amount, 0, 0, 0, 60, w.PayeeKey.Address);
}

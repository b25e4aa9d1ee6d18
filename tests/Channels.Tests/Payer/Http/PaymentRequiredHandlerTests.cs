using System.Net;
using System.Numerics;
using System.Text;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;

namespace Settlement.Channels.Tests.Payer.Http;

/// <summary>
/// <see cref="PaymentRequiredHandler"/> between an <see cref="HttpClient"/> and <see cref="PricedRoutes"/>, paying from
/// <see cref="FakePaymentSource"/>: what it pays, when it refuses to, what it re-sends, and what it hands back.
/// </summary>
public sealed class PaymentRequiredHandlerTests
{
    private static readonly Uri Priced = new("http://127.0.0.1/priced/quote");

    [Fact]
    public void Create_NullSourceOrOptions_ThrowsNamingIt()
    {
        using var w = new PayerWorld(1_000);

        Should.Throw<ArgumentNullException>(() => new PaymentRequiredHandler(null!, Options())).ParamName.ShouldBe("source");
        Should.Throw<ArgumentNullException>(() => new PaymentRequiredHandler(new FakePaymentSource(w), null!)).ParamName.ShouldBe("options");
    }

    [Theory]
    [InlineData(0, 3, "MaxAmountPerRequest")]
    [InlineData(-1, 3, "MaxAmountPerRequest")]
    [InlineData(100, 0, "MaxAttempts")]
    [InlineData(100, 11, "MaxAttempts")]
    public void Create_InvalidOption_ThrowsNamingTheSetting(int max, int attempts, string setting)
    {
        using var w = new PayerWorld(1_000);

        var thrown = Should.Throw<ArgumentException>(() => new PaymentRequiredHandler(new FakePaymentSource(w), new PaymentHandlerOptions { MaxAmountPerRequest = max, MaxAttempts = attempts }));

        thrown.Message.ShouldContain(setting);
    }

    [Fact]
    public void Validate_LimitsAtTheirBounds_Valid()
    {
        Should.NotThrow(() => new PaymentHandlerOptions { MaxAmountPerRequest = 1, MaxAttempts = 1 }.ThrowIfInvalid());
        Should.NotThrow(() => new PaymentHandlerOptions { MaxAmountPerRequest = 1, MaxAttempts = 10 }.ThrowIfInvalid());
        new PaymentHandlerOptions().MaxAttempts.ShouldBe(3);
        new PaymentHandlerOptions().PayUpFront.ShouldBeTrue();
    }

    [Fact]
    public async Task Send_FreeRoute_PassesThroughAndPaysNothing()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;

        using var response = await client.GetAsync(new Uri("http://127.0.0.1/free"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        source.Asked.ShouldBeEmpty();
        routes.Seen.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Send_402_PaysTheAmountAskedAndResendsTheSameRequestWithTheVoucher()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;
        using var request = new HttpRequestMessage(HttpMethod.Post, Priced) { Content = new StringContent("{\"q\":1}", Encoding.UTF8, "application/json"), Version = HttpVersion.Version20 };
        request.Headers.Add("X-Trace", "abc");
        request.Headers.Add(PaymentHeaders.Signature, "forged");
        request.Options.Set(new HttpRequestOptionsKey<string>("tag"), "kept");

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        source.Asked.ShouldHaveSingleItem().Amount.ShouldBe(new BigInteger(10));
        routes.Seen.Count.ShouldBe(2);
        var (retry, payment, body) = routes.Seen[1];
        payment.ShouldBe(payment! with { ChainId = PayerWorld.ChainId, Contract = PayerWorld.ContractAddress, ChannelId = w.Key.ChannelId, CumulativeAmount = 10 });
        retry.Method.ShouldBe(HttpMethod.Post);
        retry.Version.ShouldBe(HttpVersion.Version20);
        Encoding.UTF8.GetString(body!).ShouldBe("{\"q\":1}");
        retry.Content!.Headers.ContentType!.MediaType.ShouldBe("application/json");
        retry.Headers.GetValues("X-Trace").ShouldBe(["abc"]);
        retry.Headers.GetValues(PaymentHeaders.Signature).ShouldHaveSingleItem().ShouldNotBe("forged");
        retry.Options.TryGetValue(new HttpRequestOptionsKey<string>("tag"), out var tag).ShouldBeTrue();
        tag.ShouldBe("kept");
        var accepted = source.Accepted.ShouldHaveSingleItem();
        accepted.Response.Cumulative.ShouldBe(new BigInteger(10));
        accepted.Offer.Amount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task Send_BodyFromAStreamReadableOnce_ResentIdentically()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, _) = Setup(w);
        using var c = client;
        using var request = new HttpRequestMessage(HttpMethod.Put, Priced) { Content = new StreamContent(new ReadOnceStream(Encoding.UTF8.GetBytes("payload"))) };

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        routes.Seen.Select(s => Encoding.UTF8.GetString(s.Body!)).ShouldBe(["payload", "payload"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_OffersOfZero_NeverTaken(bool alsoAPricedOffer)
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        routes.ZeroOfferFirst = alsoAPricedOffer;
        routes.OnlyZeroOffer = !alsoAPricedOffer;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(alsoAPricedOffer ? HttpStatusCode.OK : HttpStatusCode.PaymentRequired);
        source.Asked.Select(a => a.Amount).ShouldBe(alsoAPricedOffer ? [10] : []);
    }

    [Fact]
    public async Task Send_UpFrontExactlyAtTheLimit_Attached()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w, new PaymentHandlerOptions { MaxAmountPerRequest = 10 });
        using var c = client;
        using (await client.GetAsync(Priced))
        {
        }

        using var second = await client.GetAsync(Priced);

        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        routes.Seen.Count.ShouldBe(3);
        routes.Seen[2].Payment!.CumulativeAmount.ShouldBe(new BigInteger(20));
        source.Asked.Select(a => a.Amount).ShouldBe([10, 10]);
    }

    [Fact]
    public async Task Send_OfferOnlyInTheBody_StillPaid()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;
        routes.OfferInBodyOnly = true;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        source.Asked.ShouldHaveSingleItem().Amount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task Send_402WithoutAnOffer_ReturnedUnpaid()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;
        routes.NoOffer = true;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        source.Asked.ShouldBeEmpty();
        routes.Seen.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(9, false)]
    public async Task Send_OfferAgainstTheLimitPerRequest_PaidUpToTheLimitOnly(int limit, bool paid)
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w, new PaymentHandlerOptions { MaxAmountPerRequest = limit });
        using var _ = client;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(paid ? HttpStatusCode.OK : HttpStatusCode.PaymentRequired);
        source.Asked.Count.ShouldBe(paid ? 1 : 0);
        routes.Seen.Count.ShouldBe(paid ? 2 : 1);
    }

    [Fact]
    public async Task Send_SourceDeclines_402ReturnedAndNothingResent()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;
        source.Decline = true;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        source.Asked.Count.ShouldBe(1);
        routes.Seen.Count.ShouldBe(1);
        source.Accepted.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_PayeeKeepsRefusing_GivesUpAfterMaxAttempts()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w, new PaymentHandlerOptions { MaxAmountPerRequest = 100, MaxAttempts = 2 });
        using var _ = client;
        routes.AlwaysRefuse = true;

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        source.Asked.Count.ShouldBe(2);
        routes.Seen.Count.ShouldBe(3);
        source.Accepted.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_KnownPricedRoute_PaysUpFrontWithoutA402()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var _ = client;
        using (await client.GetAsync(Priced))
        {
        }

        using var second = await client.GetAsync(new Uri(Priced + "?page=2"));

        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        routes.Seen.Count.ShouldBe(3); // 402 + paid, then one paid request
        routes.Seen[2].Payment!.CumulativeAmount.ShouldBe(new BigInteger(20));
        source.Asked.Select(a => a.Amount).ShouldBe([10, 10]);
        source.Accepted.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Send_PayUpFrontOff_EveryRequestGoesThroughA402()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, _) = Setup(w, new PaymentHandlerOptions { MaxAmountPerRequest = 100, PayUpFront = false });
        using var c = client;
        using (await client.GetAsync(Priced))
        {
        }

        using var second = await client.GetAsync(Priced);

        routes.Seen.Count.ShouldBe(4);
        routes.Seen[2].Payment.ShouldBeNull();
    }

    [Fact]
    public async Task Send_AnotherRoute_NotPaidUpFront()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, _) = Setup(w);
        using var c = client;
        using (await client.GetAsync(Priced))
        {
        }

        using var other = await client.GetAsync(new Uri("http://127.0.0.1/priced/other"));

        routes.Seen.Count.ShouldBe(4);
        routes.Seen[2].Payment.ShouldBeNull();
    }

    [Fact]
    public async Task Send_UpFront_UsesTheReportedCreditAndPaysAtLeastOne()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        using (await client.GetAsync(Priced))
        {
        }

        routes.Credit = 3; // the payee reports 3 left over after the next paid request
        using (await client.GetAsync(Priced))
        {
        }

        using (await client.GetAsync(Priced))
        {
        }

        source.Asked.Select(a => a.Amount).ShouldBe([10, 10, 7]);
        routes.Credit = 25; // reported after the next request
        for (var i = 0; i < 3; i++)
        {
            using (await client.GetAsync(Priced))
            {
            }
        }

        // Credit 25 reported after the fourth: the fifth pays 1 (never 0) and the credit left (16) covers the sixth too.
        source.Asked.Select(a => a.Amount).ShouldBe([10, 10, 7, 10, 1, 1]);
        routes.Seen.Count.ShouldBe(7);
    }

    [Fact]
    public async Task Send_UpFront_OnePayeesCreditIsNotSpentOnAnother()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        var other = new Uri("http://127.0.0.1/priced/other-payee/quote");
        using (await client.GetAsync(other))
        {
        }

        routes.Credit = 25;
        using (await client.GetAsync(Priced))
        {
        }

        using (await client.GetAsync(other))
        {
        }

        // The first payee reported credit (16 after the second request); the other payee's is 0, so it is paid in full.
        source.Asked.Select(a => (a.Offer.PayTo, a.Amount)).ShouldBe([(w.StrangerKey.Address, 10), (w.PayeeKey.Address, 1), (w.StrangerKey.Address, 10)]);
    }

    [Fact]
    public async Task Send_PerByteRoute_CreditLessTheBodyIsPaidNextTime()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        routes.PricePerByte = 1;
        routes.PaidBody = new byte[4];
        using (await client.GetAsync(Priced))
        {
        }

        using (await client.GetAsync(Priced))
        {
        }

        // Credit 0 reported, 4 bytes charged as the body was written: the next up-front payment is 10 + 4.
        source.Asked.Select(a => a.Amount).ShouldBe([10, 14]);
    }

    [Fact]
    public async Task Send_UpFrontAboveTheLimit_NotAttached()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w, new PaymentHandlerOptions { MaxAmountPerRequest = 12 });
        using var c = client;
        routes.PricePerByte = 1;
        routes.PaidBody = new byte[4];
        using (await client.GetAsync(Priced))
        {
        }

        using var second = await client.GetAsync(Priced);

        routes.Seen[2].Payment.ShouldBeNull(); // 14 up front is above 12: asked by a 402 instead
        source.Asked.Select(a => a.Amount).ShouldBe([10, 10]);
    }

    [Fact]
    public async Task Send_ReceiptByTheOfferedSigner_HandedOnWithItsSignature()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        routes.ReceiptKey = w.PayeeKey;
        routes.OfferedReceiptSigner = w.PayeeKey.Address;

        using (await client.GetAsync(Priced))
        {
        }

        var response = source.Accepted.ShouldHaveSingleItem().Response;
        response.ReceiptSignature.ShouldNotBeNull();
        response.ReceiptIssuedAt.ShouldBe(1_800_000_000UL);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_ReceiptNotByTheOfferedSigner_DroppedButThePaymentIsStillReported(bool offerNamesASigner)
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        routes.ReceiptKey = w.StrangerKey;
        routes.OfferedReceiptSigner = offerNamesASigner ? w.PayeeKey.Address : null;

        using (await client.GetAsync(Priced))
        {
        }

        var response = source.Accepted.ShouldHaveSingleItem().Response;
        response.ReceiptSignature.ShouldBeNull();
        response.ReceiptIssuedAt.ShouldBeNull();
        response.Cumulative.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task Send_PaidButFailedOrWithoutPaymentResponse_NothingReported()
    {
        using var w = new PayerWorld(1_000);
        var (client, routes, source) = Setup(w);
        using var c = client;
        routes.PaidStatus = HttpStatusCode.InternalServerError;
        using (await client.GetAsync(Priced))
        {
        }

        routes.PaidStatus = HttpStatusCode.OK;
        routes.NoPaymentResponse = true;
        using (await client.GetAsync(Priced))
        {
        }

        source.Asked.Count.ShouldBe(2);
        source.Accepted.ShouldBeEmpty();
    }

    private static PaymentHandlerOptions Options() => new() { MaxAmountPerRequest = 100 };

    private static (HttpClient Client, PricedRoutes Routes, FakePaymentSource Source) Setup(PayerWorld w, PaymentHandlerOptions? options = null)
    {
        var routes = new PricedRoutes(w);
        var source = new FakePaymentSource(w);
        var handler = new PaymentRequiredHandler(source, options ?? Options()) { InnerHandler = routes };
        return (new HttpClient(handler), routes, source);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.PayeeService.Http402;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>
/// HTTP 402 end to end: a merchant's ASP.NET Core app with priced routes over the payee engine and Anvil, the paying
/// <see cref="PaymentRequiredHandler"/> on the client, and raw requests for every refusal.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PaidRouteTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Get_NoPayment_402WithTheOfferInHeaderAndBody_FreeRouteUntouched()
    {
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        (await http.GetStringAsync("free")).ShouldBe("free");
        using var response = await http.GetAsync("quote");

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Headers.GetValues("Cache-Control").ShouldBe(["no-store"]);
        var body = await response.Content.ReadAsByteArrayAsync();
        var header = response.Headers.GetValues(PaymentHeaders.Required).Single();
        Convert.FromBase64String(header).ShouldBe(body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        root.GetProperty("x402Version").GetInt32().ShouldBe(2);
        root.GetProperty("error").GetString().ShouldBe("payment_required");
        root.GetProperty("resource").GetProperty("url").GetString().ShouldBe("/quote");
        var offer = root.GetProperty("accepts").EnumerateArray().Single();
        offer.GetProperty("scheme").GetString().ShouldBe("l2pay-channel");
        offer.GetProperty("network").GetString().ShouldBe($"eip155:{fixture.ChainId}");
        offer.GetProperty("amount").GetString().ShouldBe("1000");
        offer.GetProperty("payTo").GetString().ShouldBe(fixture.Payee.ToString());
        offer.GetProperty("asset").GetString().ShouldBe(fixture.World.Token.Address.ToString());
        var extra = offer.GetProperty("extra");
        extra.GetProperty("contract").GetString().ShouldBe(fixture.Contract.ToString());
        extra.GetProperty("pricePerRequest").GetString().ShouldBe("1000");
        extra.GetProperty("pricePerByte").GetString().ShouldBe("0");
        extra.GetProperty("minDeposit").GetString().ShouldBe("100000");
        extra.GetProperty("receiptSigner").GetString().ShouldBe(fixture.Payee.ToString());
        app.QuotesServed.ShouldBe(0);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty(); // nothing ran on after the refusal
    }

    [Fact]
    public async Task Handler_TenRequests_OneRoundTripForTheFirst402_ThenPaidUpFront_PayeeStoredEqualsSigned_ReceiptsVerify()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        var source = new TestPaymentSource(channel);
        var counter = new CountingHandler();
        using var http = PayingClient(app, source, counter);

        for (var i = 0; i < 10; i++)
        {
            (await http.GetStringAsync("quote")).ShouldBe("quote");
        }

        counter.Sent.ShouldBe(11); // one 402, then every request paid up front
        app.QuotesServed.ShouldBe(10);
        source.Signed.ShouldBe(10 * PaidApp.QuotePrice);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(source.Signed);
        source.Accepted.Count.ShouldBe(10);
        source.Accepted.Select(a => a.Cumulative).ShouldBe(Enumerable.Range(1, 10).Select(i => (BigInteger)(i * PaidApp.QuotePrice)));
        source.Accepted.ShouldAllBe(a => a.Charged == PaidApp.QuotePrice && a.Credit == 0 && a.ReceiptSignature != null);
    }

    [Fact]
    public async Task Handler_Post_BodyIsSentAgainAfterThe402()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = PayingClient(app, new TestPaymentSource(channel));

        using var response = await http.PostAsync("echo", new StringContent("hello, paid world", Encoding.UTF8, "text/plain"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("hello, paid world");
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(PaidApp.EchoPrice);
    }

    [Fact]
    public async Task Handler_SixteenConcurrentRequests_AllServedWithoutA402_PaidEqualsServedTimesPrice()
    {
        var channel = await fixture.OpenChannelAsync(10_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        var source = new TestPaymentSource(channel);
        var counter = new CountingHandler();
        using var http = PayingClient(app, source, counter);
        (await http.GetStringAsync("quote")).ShouldBe("quote"); // learn the price

        var bodies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => http.GetStringAsync("quote")));

        bodies.ShouldAllBe(b => b == "quote");
        app.QuotesServed.ShouldBe(17);
        var paid = app.Engine.GetCredit(channel.Key)!.Paid;
        output.WriteLine($"17 served, {source.Requests} vouchers signed, {paid} paid; 402s: {string.Join(", ", counter.Refusals)}");

        // Vouchers overtaken by a larger one on the way still paid for their own request: no 402 but the first.
        counter.Refusals.ShouldBe(["payment_required ()"]);
        source.Requests.ShouldBe(17);
        paid.ShouldBe(source.Signed);
        paid.ShouldBe(17 * PaidApp.QuotePrice);
    }

    [Fact]
    public async Task Handler_PerByteRoute_BytesAreOwedAndPaidUpFrontByTheNextRequest()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        var source = new TestPaymentSource(channel);
        var counter = new CountingHandler();
        using var http = PayingClient(app, source, counter);

        (await http.GetByteArrayAsync("bytes/300")).Length.ShouldBe(300);
        (await http.GetByteArrayAsync("bytes/300")).Length.ShouldBe(300);

        counter.Sent.ShouldBe(3);
        // First: 402, then 5 up front; 600 owed for the bytes. Second: 5 + 600 up front; 600 owed again.
        source.Signed.ShouldBe(5 + 605);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(610);
        source.Accepted[^1].Credit.ShouldBe(BigInteger.Zero); // after the up-front charge, before the bytes
        await app.StopAsync();
        app.BodiesNotRestored.ShouldBe(0); // the metered body never outlives the priced route
        app.LoggedErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task PerByteRoute_ResponseBeyondTheUnpaidAllowance_IsCutOff()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        // 5 up front; 2 per byte with 2,000 allowed unpaid: bytes 1..1000 pass, the 11th chunk of 100 does not.
        using var request = Paid(HttpMethod.Get, "bytes/5000", channel.Sign(5));
        var thrown = await Should.ThrowAsync<Exception>(async () =>
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
        });

        output.WriteLine($"cut off: {thrown.GetType().Name}: {thrown.Message}");
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(5);
    }

    [Fact]
    public async Task Handler_PriceAboveItsLimit_Returns402Unpaid_SourceNeverAsked()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        var source = new TestPaymentSource(channel);
        using var http = PayingClient(app, source, maxPerRequest: PaidApp.QuotePrice - 1);

        using var response = await http.GetAsync("quote");

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        source.Requests.ShouldBe(0);
        app.Engine.GetCredit(channel.Key).ShouldBeNull();
    }

    [Fact]
    public async Task Refusals_EachHasItsReason_NothingServed_StoredUnchanged()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        var elsewhere = await fixture.OpenChannelAsync(1_000_000, payee: fixture.World.OtherKey.Address);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        (await SendRawAsync(http, "not base64!")).ShouldBe(("invalid_payment", "header is not base64"));
        (await SendRawAsync(http, Convert.ToBase64String("{\"x402Version\":1}"u8.ToArray()))).ShouldBe(("invalid_payment", "x402Version: must be 2"));
        (await SendAsync(http, channel.Sign(2_000, fixture.World.OtherKey))).ShouldBe(("voucher_rejected", "wrongSigner"));
        (await SendAsync(http, channel.Sign(2_000_000))).ShouldBe(("voucher_rejected", "exceedsDeposit"));
        (await SendAsync(http, elsewhere.Sign(2_000))).Error.ShouldBe("wrong_payee");
        (await SendAsync(http, channel.Sign(2_000), chainId: fixture.ChainId + 1)).Error.ShouldBe("wrong_network");
        (await SendAsync(http, channel.Sign(2_000), contract: fixture.World.Token.Address)).Error.ShouldBe("wrong_network");
        app.QuotesServed.ShouldBe(0);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(BigInteger.Zero);

        // Paid once; the same voucher again buys nothing. An older voucher, never used, is taken for a request that a
        // concurrent larger voucher paid; with no such credit it is not enough, and it cannot be used twice.
        (await SendAsync(http, channel.Sign(1_000))).ShouldBe(("ok", null));
        (await SendAsync(http, channel.Sign(1_000))).ShouldBe(("voucher_reused", "this amount already paid for a request; sign a new one"));
        var (stale, staleOffer) = await SendWithOfferAsync(http, channel.Sign(500));
        stale.Error.ShouldBe("insufficient_payment");
        staleOffer.Amount.ShouldBe(PaidApp.QuotePrice);
        staleOffer.Stored.ShouldBe(1_000);
        staleOffer.ChannelId.ShouldBe(channel.Id);
        (await SendAsync(http, channel.Sign(500))).Error.ShouldBe("voucher_reused");
        (await SendAsync(http, channel.Sign(700, fixture.World.OtherKey))).ShouldBe(("voucher_rejected", "wrongSigner"));
        app.QuotesServed.ShouldBe(1);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(1_000);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty(); // no refusal ran on after its answer
    }

    [Fact]
    public async Task Refusals_AmountAsked_WhatThePriceNeedsBeyondTheCredit_AtLeastOne()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        var (short400, offer) = await SendWithOfferAsync(http, channel.Sign(400));
        short400.Error.ShouldBe("insufficient_payment");
        offer.Amount.ShouldBe(600);
        (var wrongSigner, offer) = await SendWithOfferAsync(http, channel.Sign(500, fixture.World.OtherKey));
        wrongSigner.ShouldBe(("voucher_rejected", "wrongSigner"));
        offer.Amount.ShouldBe(600); // 1,000 less the 400 of credit
        offer.Stored.ShouldBe(400);
        (var reused, offer) = await SendWithOfferAsync(http, channel.Sign(400));
        reused.Error.ShouldBe("voucher_reused");
        offer.Amount.ShouldBe(600);
        offer.Stored.ShouldBe(400);

        (await SendAsync(http, channel.Sign(2_900))).ShouldBe(("ok", null)); // 2,900 stored, 1,000 charged: 1,900 credit
        (reused, offer) = await SendWithOfferAsync(http, channel.Sign(2_900));
        reused.Error.ShouldBe("voucher_reused");
        offer.Amount.ShouldBe(BigInteger.One); // the credit covers the price; a new voucher still adds at least 1
        offer.Stored.ShouldBe(2_900);
        app.QuotesServed.ShouldBe(1);
    }

    [Fact]
    public async Task TwoPaymentHeaders_Refused_NeitherStored()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        string Header(BigInteger amount) =>
            $"{PaymentHeaders.Signature}: {Http402Codec.EncodeHeader(PaymentPayload.FromVoucher(fixture.ChainId, fixture.Contract, channel.Sign(amount)))}\r\n";

        // HttpClient joins the values of one header into one line; Kestrel keeps two lines as two values.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(app.BaseUrl.Host, app.BaseUrl.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /quote HTTP/1.1\r\nHost: {app.BaseUrl.Authority}\r\n{Header(1_000)}{Header(2_000)}Connection: close\r\n\r\n"));
        var text = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();

        text.ShouldStartWith("HTTP/1.1 402 ");
        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]), out var required, out var error)
            .ShouldBeTrue(error);
        (required.Error, required.Reason).ShouldBe(("invalid_payment", "more than one payment header"));
        app.QuotesServed.ShouldBe(0);
        (app.Engine.GetCredit(channel.Key)?.Paid ?? BigInteger.Zero).ShouldBe(BigInteger.Zero);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ChannelInAnotherAsset_WrongAsset_NothingStoredOrServed()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output, o => o.Asset = Address.Zero.ToString());
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        var (outcome, offer) = await SendWithOfferAsync(http, channel.Sign(1_000));

        outcome.ShouldBe(("wrong_asset", $"the channel holds {fixture.World.Token.Address}, this route is paid in {Address.Zero}"));
        offer.Asset.ShouldBe(Address.Zero);
        offer.ChannelId.ShouldBe(channel.Id);
        offer.Stored.ShouldBeNull();
        app.QuotesServed.ShouldBe(0);
        (app.Engine.GetCredit(channel.Key)?.Paid ?? BigInteger.Zero).ShouldBe(BigInteger.Zero);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Receipt_SignsTheNewestStoredAmount_ALargerVoucherStoredWhileTheResponseWasHeld()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        using var heldRequest = Paid(HttpMethod.Get, "held", channel.Sign(1_000));
        var held = http.SendAsync(heldRequest);
        await app.HeldEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var quoteRequest = Paid(HttpMethod.Get, "quote", channel.Sign(2_000));
        using var quote = await http.SendAsync(quoteRequest);
        quote.StatusCode.ShouldBe(HttpStatusCode.OK);
        app.HeldRelease.SetResult();
        using var heldResponse = await held;

        heldResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        Http402Codec.TryDecodeResponseHeader(heldResponse.Headers.GetValues(PaymentHeaders.Response).Single(), out var receipt, out var error).ShouldBeTrue(error);
        receipt.Cumulative.ShouldBe(app.Engine.GetCredit(channel.Key)!.Paid); // 2,000: what the receipt signature signs, not this voucher's 1,000
        receipt.Cumulative.ShouldBe(2_000);
        receipt.Charged.ShouldBe(PaidApp.QuotePrice);
        receipt.Credit.ShouldBe(BigInteger.Zero);
        receipt.ReceiptSignature.ShouldNotBeNull();
    }

    [Fact]
    public async Task Middleware_RequestWithoutAPath_402NamesTheRoot_NextNotCalled()
    {
        await using var app = await PaidApp.StartAsync(fixture, output);
        var called = false;
        var middleware = ActivatorUtilities.CreateInstance<PaymentRequiredMiddleware>(app.Services, (RequestDelegate)(_ =>
        {
            called = true;
            return Task.CompletedTask;
        }));
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(PaymentPrice.ForRequest(7)), "priced"));
        context.Features.Set<IHttpRequestFeature>(new HttpRequestFeature { Path = null! }); // a server that leaves the path unset
        using var body = new MemoryStream();
        context.Response.Body = body;

        await middleware.InvokeAsync(context);

        called.ShouldBeFalse();
        context.Response.StatusCode.ShouldBe(StatusCodes.Status402PaymentRequired);
        context.Response.Headers.CacheControl.ToString().ShouldBe("no-store");
        context.Response.ContentLength.ShouldBe(body.Length);
        Http402Codec.TryDecodeRequired(body.ToArray(), out var required, out var error).ShouldBeTrue(error);
        required.Resource.ShouldBe("/");
        required.Error.ShouldBe("payment_required");
        required.Accepts.Single().Amount.ShouldBe(7);
    }

    [Fact]
    public async Task Voucher_AddingLessThanThePrice_StoredAsCredit_402ForTheRest_ThenServed()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var app = await PaidApp.StartAsync(fixture, output);
        using var http = new HttpClient { BaseAddress = app.BaseUrl };

        var (outcome, offer) = await SendWithOfferAsync(http, channel.Sign(400));

        outcome.Error.ShouldBe("insufficient_payment");
        offer.Amount.ShouldBe(600);
        offer.Stored.ShouldBe(400);
        app.QuotesServed.ShouldBe(0);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(400);

        (await SendAsync(http, channel.Sign(1_000))).ShouldBe(("ok", null));
        app.QuotesServed.ShouldBe(1);
    }

    private HttpClient PayingClient(PaidApp app, IChannelPaymentSource source, CountingHandler? counter = null, BigInteger? maxPerRequest = null)
    {
        var inner = counter ?? new CountingHandler();
        var handler = new PaymentRequiredHandler(source, new PaymentHandlerOptions { MaxAmountPerRequest = maxPerRequest ?? 1_000_000 })
        {
            InnerHandler = inner,
        };
        return new HttpClient(handler) { BaseAddress = app.BaseUrl };
    }

    private HttpRequestMessage Paid(HttpMethod method, string path, SignedVoucher voucher, ulong? chainId = null, Address? contract = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(PaymentHeaders.Signature, Http402Codec.EncodeHeader(
            PaymentPayload.FromVoucher(chainId ?? fixture.ChainId, contract ?? fixture.Contract, voucher)));
        return request;
    }

    private async Task<(string Error, string? Reason)> SendAsync(HttpClient http, SignedVoucher voucher, ulong? chainId = null, Address? contract = null) =>
        (await SendWithOfferAsync(http, voucher, chainId, contract)).Outcome;

    private async Task<((string Error, string? Reason) Outcome, PaymentOffer Offer)> SendWithOfferAsync(
        HttpClient http, SignedVoucher voucher, ulong? chainId = null, Address? contract = null)
    {
        using var request = Paid(HttpMethod.Get, "quote", voucher, chainId, contract);
        return await ReadOutcomeAsync(await http.SendAsync(request));
    }

    private static async Task<(string Error, string? Reason)> SendRawAsync(HttpClient http, string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "quote");
        request.Headers.TryAddWithoutValidation(PaymentHeaders.Signature, header);
        return (await ReadOutcomeAsync(await http.SendAsync(request))).Outcome;
    }

    private static async Task<((string Error, string? Reason) Outcome, PaymentOffer Offer)> ReadOutcomeAsync(HttpResponseMessage response)
    {
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Headers.Contains(PaymentHeaders.Response).ShouldBeTrue();
                return (("ok", null), null!);
            }

            response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
            Http402Codec.TryDecodeRequired(await response.Content.ReadAsByteArrayAsync(), out var required, out var error).ShouldBeTrue(error);
            return ((required.Error, required.Reason), required.Accepts.Single());
        }
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _sent;

        public CountingHandler() => InnerHandler = new HttpClientHandler();

        public int Sent => Volatile.Read(ref _sent);

        public System.Collections.Concurrent.ConcurrentQueue<string> Refusals { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.PaymentRequired
                && Http402Codec.TryDecodeRequiredHeader(response.Headers.GetValues(PaymentHeaders.Required).Single(), out var required, out _))
            {
                Refusals.Enqueue($"{required.Error} ({required.Reason})");
            }

            return response;
        }
    }
}

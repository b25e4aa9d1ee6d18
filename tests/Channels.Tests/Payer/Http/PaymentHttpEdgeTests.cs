using System.Net;
using System.Numerics;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer.Http;

/// <summary>
/// Edges of the HTTP payment path: the credit an up-front payment leaves when no payment response comes back, the 402
/// answer released before the paid retry, and <see cref="PayerPaymentSource"/> opening nothing for nothing.
/// </summary>
public sealed class PaymentHttpEdgeTests
{
    private static readonly Uri Priced = new("http://127.0.0.1/priced/quote");

    [Fact]
    public async Task Send_UpFrontWithoutAPaymentResponse_EachUpFrontPaysThePriceAgain()
    {
        using var w = new PayerWorld(1_000);
        var routes = new PricedRoutes(w) { NoPaymentResponse = true };
        var source = new FakePaymentSource(w);
        using var client = new HttpClient(new PaymentRequiredHandler(source, new PaymentHandlerOptions { MaxAmountPerRequest = 100 }) { InnerHandler = routes });

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(Priced);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // The first request learns the price from a 402; the next two pay it up front, each the whole price: an
        // up-front payment of exactly the price leaves no credit and no debt when the payee reports none.
        source.Asked.Select(a => a.Amount).ShouldBe([10, 10, 10]);
        routes.Seen.Count.ShouldBe(4);
        routes.Seen.Select(s => s.Payment?.CumulativeAmount).ShouldBe([null, 10, 20, 30]);
    }

    [Fact]
    public async Task Send_402ThenPaid_The402AnswerIsDisposedBeforeTheRetry()
    {
        using var w = new PayerWorld(1_000);
        var routes = new PricedRoutes(w);
        var tracker = new TrackingHandler { InnerHandler = routes };
        var source = new FakePaymentSource(w);
        using var client = new HttpClient(new PaymentRequiredHandler(source, new PaymentHandlerOptions { MaxAmountPerRequest = 100, PayUpFront = false }) { InnerHandler = tracker });

        using var response = await client.GetAsync(Priced);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        tracker.Contents.Count.ShouldBe(2);
        tracker.Contents[0].Status.ShouldBe(HttpStatusCode.PaymentRequired);
        tracker.Contents[0].Content.Disposed.ShouldBeTrue();
        tracker.Contents[1].Content.Disposed.ShouldBeFalse(); // the answer handed back stays readable
        (await response.Content.ReadAsStringAsync()).ShouldBe("paid");
    }

    [Fact]
    public async Task Source_NegativeDeposit_MessageSaysWhy()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();

        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = -1 }));

        thrown.ParamName.ShouldBe("options");
        thrown.ActualValue.ShouldBe(BigInteger.MinusOne);
        thrown.Message.ShouldStartWith("NewChannelDeposit is never negative.");
    }

    [Fact]
    public async Task Source_ZeroAmountForANewPayee_DeclinedWithoutOpeningAChannel()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 100 });

        (await source.SignPaymentAsync(Offer(w, w.StrangerKey.Address, 0), 0, CancellationToken.None)).ShouldBeNull();

        w.Chain!.Sent.ShouldBeEmpty();
        (await w.Store.ListChannelsAsync()).ShouldHaveSingleItem().Record.Key.ShouldBe(w.Key);
    }

    [Fact]
    public async Task Source_TwoNewPayeesOneAfterTheOther_EachGetsItsOwnChannel()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var source = new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 100 });
        var third = Address.Parse("0x00000000000000000000000000000000000000bb");

        var first = await source.SignPaymentAsync(Offer(w, w.StrangerKey.Address, 10), 10, CancellationToken.None);
        // The limit only stops a hung test (an opening that never released its turn).
        var second = await source.SignPaymentAsync(Offer(w, third, 10), 10, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        w.Chain!.Functions.ShouldBe(["open", "open"]);
        (await client.GetChannelAsync(first!.Voucher.ChannelId))!.Parameters.Payee.ShouldBe(w.StrangerKey.Address);
        (await client.GetChannelAsync(second!.Voucher.ChannelId))!.Parameters.Payee.ShouldBe(third);
    }

    private static PaymentOffer Offer(PayerWorld w, Address payee, BigInteger amount) =>
        new(PayerWorld.ChainId, PayerWorld.ContractAddress, payee, Address.Zero, amount, amount, 0, 0, 0, 60, w.PayeeKey.Address);

    /// <summary>Swaps each answer's body for one that records being disposed.</summary>
    private sealed class TrackingHandler : DelegatingHandler
    {
        public List<(HttpStatusCode Status, TrackedContent Content)> Contents { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var tracked = new TrackedContent(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            foreach (var header in response.Content.Headers)
            {
                tracked.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = tracked;
            Contents.Add((response.StatusCode, tracked));
            return response;
        }
    }

    private sealed class TrackedContent(byte[] body) : ByteArrayContent(body)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}

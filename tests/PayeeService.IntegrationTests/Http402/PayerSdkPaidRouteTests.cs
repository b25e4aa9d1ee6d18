using System.Net;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Http;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>
/// The paying handler over the real payer SDK (<see cref="PayerPaymentSource"/>): a channel opened on chain for the
/// first 402, every voucher stored by the payer before it goes into a header, receipts kept, and a restarted payer
/// paying on from the same channel.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PayerSdkPaidRouteTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task PayerSdk_OpensAChannelForThe402_PaysEachRequest_KeepsReceipts_AndARestartedPayerPaysOn()
    {
        await using var app = await PaidApp.StartAsync(fixture, output);
        await using var side = new PayerSide(fixture);
        var options = new PayerPaymentSourceOptions { NewChannelDeposit = 100_000 };

        PayerChannel channel;
        await using (var client = side.NewClient())
        {
            using var http = Client(app, new PayerPaymentSource(client, options));
            for (var i = 0; i < 5; i++)
            {
                (await http.GetStringAsync("quote")).ShouldBe("quote");
            }

            var channels = await client.ListChannelsAsync();
            channels.Count.ShouldBe(1);
            channel = (await client.GetChannelAsync(channels[0].Record.Parameters.Id))!;
            channel.Deposit.ShouldBe(100_000);
            channel.Signed.ShouldBe(5 * PaidApp.QuotePrice);
            channel.NewestReceipt.ShouldNotBeNull().Cumulative.ShouldBe(5 * PaidApp.QuotePrice);
            app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(5 * PaidApp.QuotePrice);
        }

        // A new process on the same payer file: no second channel, the amounts go on from what was signed.
        await using (var restarted = side.NewClient())
        {
            using var http = Client(app, new PayerPaymentSource(restarted, options));
            (await http.GetStringAsync("quote")).ShouldBe("quote");

            (await restarted.ListChannelsAsync()).Count.ShouldBe(1);
            (await restarted.GetChannelAsync(channel.Id))!.Signed.ShouldBe(6 * PaidApp.QuotePrice);
            app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(6 * PaidApp.QuotePrice);
        }

        app.QuotesServed.ShouldBe(6);
    }

    [Fact]
    public async Task PayerSdk_NoChannelAndOpeningNotAllowed_The402GoesBackToTheCaller_NothingSigned()
    {
        await using var app = await PaidApp.StartAsync(fixture, output);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        using var http = Client(app, new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = 0 }));

        using var response = await http.GetAsync("quote");

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await client.ListChannelsAsync()).ShouldBeEmpty();
        app.QuotesServed.ShouldBe(0);
    }

    /// <summary>A paying client whose every request first mines a block, so a channel opened for a 402 is confirmed (one confirmation) before the retry.</summary>
    private HttpClient Client(PaidApp app, IChannelPaymentSource source) =>
        new(new PaymentRequiredHandler(source, new PaymentHandlerOptions { MaxAmountPerRequest = 10_000 }) { InnerHandler = new MiningHandler(fixture) })
        {
            BaseAddress = app.BaseUrl,
        };

    private sealed class MiningHandler : DelegatingHandler
    {
        private readonly PayeeWorldFixture _fixture;

        public MiningHandler(PayeeWorldFixture fixture)
        {
            _fixture = fixture;
            InnerHandler = new HttpClientHandler();
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await _fixture.Node.MineAsync();
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

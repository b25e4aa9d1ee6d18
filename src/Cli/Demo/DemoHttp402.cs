using System.Globalization;
using System.Net;
using System.Numerics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService;
using Settlement.PayeeService.Hosting;
using Settlement.PayeeService.Http402;

namespace Settlement.Cli.Demo;

/// <summary>
/// HTTP 402 in the demo: the merchant sells a quote API priced per request (its own ASP.NET Core app with the 402
/// middleware over the payee engine); the user's app calls it through an <see cref="HttpClient"/> with
/// <see cref="PaymentRequiredHandler"/> over the payer SDK, which opens an ETH channel on the first 402 and then
/// attaches the next voucher to every request. The channel is closed cooperatively at the end.
/// </summary>
internal static class DemoHttp402
{
    private const int Requests = 25;
    private static readonly BigInteger Price = 1_000_000_000; // 1 gwei per quote

    public static async Task<Http402Result> RunAsync(
        EthereumRpcClient rpc, ChannelContract channels, PrivateKey userKey, IContractTransactor user, PrivateKey merchantKey,
        PayeeServiceOptions payeeOptions, string stateDir, Action<string> say, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPayeeService(payeeOptions, merchantKey);
        builder.Services.AddPaymentRequired(o =>
        {
            o.PayTo = merchantKey.Address.ToString();
            o.Asset = Address.Zero.ToString();
            o.MinDeposit = Price * 100;
        });
        await using var app = builder.Build();
        app.UsePaymentRequired();
        var served = 0;
        app.MapGet("/v1/quote", () =>
        {
            Interlocked.Increment(ref served);
            return Results.Json(new { pair = "GBP/USDX", bid = "1.0000", ask = "1.0002" });
        }).RequirePayment(PaymentPrice.ForRequest(Price));
        await app.StartAsync(ct).ConfigureAwait(false);
        var baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

        await using var store = new SqlitePayerStore(Path.Combine(stateDir, "payer-api.db"));
        await using var client = new PayerClient(channels, rpc, userKey, store, new PayerClientOptions { Transactor = user });
        var counting = new CountingHandler();
        using var http = new HttpClient(new PaymentRequiredHandler(
            new PayerPaymentSource(client, new PayerPaymentSourceOptions { NewChannelDeposit = Price * 100 }),
            new PaymentHandlerOptions { MaxAmountPerRequest = Price * 10 }) { InnerHandler = counting })
        {
            BaseAddress = baseUrl,
        };
        for (var i = 0; i < Requests; i++)
        {
            using var response = await http.GetAsync(new Uri("v1/quote", UriKind.Relative), ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new DemoStepException("HTTP 402", $"request {i + 1} answered {(int)response.StatusCode}");
            }
        }

        var open = (await client.ListChannelsAsync(ct).ConfigureAwait(false)).Single();
        var channel = (await client.GetChannelAsync(open.Record.Parameters.Id, ct).ConfigureAwait(false))!;
        var stored = app.Services.GetRequiredService<PayeeEngine>().GetCredit(channel.Key)?.Paid ?? BigInteger.Zero;
        var receipts = (await store.ListReceiptsAsync(channel.Key, ct).ConfigureAwait(false)).Count;
        say(string.Create(CultureInfo.InvariantCulture,
            $"HTTP 402: {Requests} calls to the merchant's quote API at {Price} wei each over {counting.Sent} HTTP exchanges ({counting.PaymentRequired} answered 402, the first, which made the user's SDK open channel {channel.Id}); signed {channel.Signed} wei, the payee stores {stored}, {receipts} receipts kept"));

        var deadline = await DemoCloseDeadline.NextAsync(rpc, ct).ConfigureAwait(false);
        var closed = await channel.CloseAsync(channel.CloseState(deadline).Sign(merchantKey, channels.Domain), deadline, cancellationToken: ct).ConfigureAwait(false);
        if (closed.Result != CloseResult.Settled)
        {
            throw new DemoStepException("HTTP 402", $"channel {channel.Id} did not close: {closed.Result}");
        }

        await app.StopAsync(ct).ConfigureAwait(false);
        return new Http402Result(channel.Id.ToString(), Requests, served, counting.PaymentRequired, Price, channel.Signed, stored, receipts, closed.PayerToPayee);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _sent;
        private int _paymentRequired;

        public CountingHandler() => InnerHandler = new SocketsHttpHandler();

        public int Sent => Volatile.Read(ref _sent);

        public int PaymentRequired => Volatile.Read(ref _paymentRequired);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PaymentRequired)
            {
                Interlocked.Increment(ref _paymentRequired);
            }

            return response;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Benchmarks.Payee;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;
using Settlement.DevChain;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService;
using Settlement.PayeeService.Hosting;
using Settlement.PayeeService.Http402;

namespace Settlement.Benchmarks.Http402;

/// <summary>
/// The cost of paying per request (docs/benchmarks.md, "HTTP 402"): the same tiny GET served unpaid by a plain
/// <see cref="HttpClient"/> and paid, each request carrying a new voucher attached up front by
/// <see cref="PaymentRequiredHandler"/> and verified and stored (SQLite, fsync) by the middleware. <see cref="Clients"/>
/// clients, each with its own ETH channel, run concurrently on loopback; each run of one kind is paired with a run of
/// the other right after it (the order alternates), and the table gives medians of the paired ratios.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- http402
/// </summary>
internal static class Http402Benchmarks
{
    private const int Runs = 5;
    private const int Clients = 32;
    private const int RequestsPerClient = 100;

    public static async Task RunAsync()
    {
        using var http = new HttpClient();
        Progress("starting Anvil, deploying the contract, opening one channel per client, starting the app");
        await using var anvil = await AnvilProcess.StartAsync(new AnvilOptions());
        var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = anvil.RpcUrl, ChainId = anvil.ChainId });
        await rpc.ConnectAsync();
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(2) });
        using var funderKey = PrivateKey.Generate();
        using var payee = PrivateKey.Generate();
        var wei = "0x" + BigInteger.Pow(10, 24).ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        await rpc.RequestAsync("anvil_setBalance", [JsonValue.Create(funderKey.Address.ToLowerHex()), JsonValue.Create(wei)]);
        var funder = new SignedTransactor(sender, funderKey);
        var contract = await ChannelContract.DeployAsync(rpc, funder);
        var payers = new List<PrivateKey>();
        var sources = new List<BenchSource>();
        for (var c = 0; c < Clients; c++)
        {
            var key = PrivateKey.Generate();
            payers.Add(key);
            var opened = await contract.OpenAsync(funder, key.Address, payee.Address, Address.Zero, 3600, BigInteger.Pow(10, 18));
            sources.Add(new BenchSource(ChannelTypedData.ForContract(anvil.ChainId, contract.Address), key, opened.Channel.Id));
        }

        await rpc.RequestAsync("evm_mine");
        var folder = Directory.CreateTempSubdirectory("http402-bench-").FullName;
        var app = await StartAppAsync(anvil, contract.Address, payee, folder);
        try
        {
            var baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
            var plain = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = baseUrl }).ToList();
            var paying = sources.Select(source => new HttpClient(new PaymentRequiredHandler(source, new PaymentHandlerOptions { MaxAmountPerRequest = 10 })
            {
                InnerHandler = new SocketsHttpHandler(),
            }) { BaseAddress = baseUrl }).ToList();

            // Warm-up (untimed): connections, JIT, the one 402 per client that teaches each handler the price.
            await RunAsync(plain, "free", 20);
            await RunAsync(paying, "paid", 20);

            var free = new List<double>();
            var paid = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                if (run % 2 == 0)
                {
                    free.Add(await RunAsync(plain, "free", RequestsPerClient));
                    paid.Add(await RunAsync(paying, "paid", RequestsPerClient));
                }
                else
                {
                    paid.Add(await RunAsync(paying, "paid", RequestsPerClient));
                    free.Add(await RunAsync(plain, "free", RequestsPerClient));
                }

                Progress($"run {run + 1}: unpaid {free[^1]:N0}/s, paid {paid[^1]:N0}/s");
            }

            var ratios = paid.Zip(free, (p, f) => p / f).ToList();
            Console.WriteLine("| figure | median | runs |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| unpaid GET, {Clients} clients on loopback: requests/s | {Stats.Median(free):N0} | {Runs} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| paid GET (voucher up front, verified + stored with fsync): requests/s | {Stats.Median(paid):N0} | {Runs} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| paid / unpaid, paired | {Stats.Median(ratios):P0} | {Runs} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cost of paying per request, µs of loopback wall time per request (1/paid − 1/unpaid) | {Stats.Median(paid.Zip(free, (p, f) => (1 / p - 1 / f) * 1e6)):N0} | {Runs} |"));
            var stored = app.Services.GetRequiredService<PayeeEngine>().GetCredit(new ChannelKey(anvil.ChainId, contract.Address, sources[0].Channel))!.Paid;
            if (stored != sources[0].Signed)
            {
                throw new InvalidOperationException($"The payee stored {stored}, the payer signed {sources[0].Signed}.");
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            foreach (var key in payers)
            {
                key.Dispose();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> RunAsync(List<HttpClient> clients, string path, int count)
    {
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var i = 0; i < count; i++)
            {
                using var response = await client.GetAsync(path);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
                }
            }
        }));
        return clients.Count * count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static async Task<WebApplication> StartAppAsync(AnvilProcess anvil, Address contract, PrivateKey payee, string folder)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPayeeService(
            new PayeeServiceOptions
            {
                Database = Path.Combine(folder, "payee.db"),
                RpcUrl = anvil.RpcUrl,
                Confirmations = 1,
                Engine = new PayeeOptions { ChainId = anvil.ChainId, Contract = contract.ToString() },
            },
            payee);
        builder.Services.AddPaymentRequired(o => o.PayTo = payee.Address.ToString());
        var app = builder.Build();
        app.UsePaymentRequired();
        app.MapGet("/free", () => "ok");
        app.MapGet("/paid", () => "ok").RequirePayment(PaymentPrice.ForRequest(1));
        await app.StartAsync();
        return app;
    }

    private static void Progress(string text) => Console.Error.WriteLine($"[http402] {text}");

    /// <summary>Signs the next amount for its one channel (in memory: the payer SDK's durable store is measured in its own benchmark).</summary>
    private sealed class BenchSource(ChannelTypedData typedData, PrivateKey key, ChannelId channel) : IChannelPaymentSource
    {
        private readonly Lock _gate = new();

        public ChannelId Channel => channel;

        public BigInteger Signed { get; private set; }

        public ValueTask<SignedVoucher?> SignPaymentAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Signed = BigInteger.Max(Signed, offer.Stored ?? BigInteger.Zero) + amount;
                var signature = typedData.SignVoucher(key, channel.Bytes, Signed);
                return ValueTask.FromResult<SignedVoucher?>(new SignedVoucher(new Voucher(channel, Signed), signature));
            }
        }

        public ValueTask OnPaymentAcceptedAsync(PaymentOffer offer, PaymentResponse response, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

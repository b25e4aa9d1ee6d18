using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.OpenBanking;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Benchmarks;

/// <summary>
/// Payments through the connector to the bank sandbox over HTTPS on loopback (both in this process).
/// One "payment" = consent POST, authorise (request object + redirect), token exchange (PKCE,
/// private_key_jwt), payment POST: 4 signed round trips, every response signature verified.
/// </summary>
[MemoryDiagnoser]
public class OpenBankingThroughputBenchmarks
{
    private const string Customer = "60161331926819";
    private const string Platform = "04000412345678";
    private SandboxHost _sandbox = null!;
    private ServiceProvider _services = null!;
    private PisClient _client = null!;
    private TransferService _transfers = null!;
    private string _dir = null!;
    private PaymentInstruction _instruction = null!;
    private string _paymentId = null!;
    private int _counter;

    [Params(ObieVersion.V3_1_11, ObieVersion.V4_0)]
    public ObieVersion Version { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new SandboxOptions { Port = 0, AcceptanceDelay = TimeSpan.FromSeconds(1), SettlementDelay = TimeSpan.FromSeconds(1) };
        options.Accounts.Add(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = 1_000_000_000_000 });
        options.Accounts.Add(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = 0 });
        _sandbox = SandboxHost.StartAsync(options).GetAwaiter().GetResult();
        _dir = Directory.CreateTempSubdirectory("ob-bench-").FullName;
        using var key = SigningKey.Generate("bench-client");
        var keyPath = Path.Combine(_dir, "client.pem");
        File.WriteAllText(keyPath, key.ExportPkcs8Pem());
        var certPath = Path.Combine(_dir, "tls.pem");
        File.WriteAllText(certPath, _sandbox.TlsCertificate.ExportCertificatePem());
        _sandbox.Clients.Register(new SandboxClient
        {
            ClientId = "bench",
            SigningKey = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(key.PublicJwk())),
            RedirectUris = ["https://bench.example/cb"],
        });
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddOpenBanking(o =>
        {
            o.DatabasePath = Path.Combine(_dir, "bench.db");
            o.Banks["sandbox"] = new BankOptions
            {
                BaseUrl = _sandbox.BaseUrl,
                WellKnownEndpoint = new Uri(_sandbox.Issuer),
                ClientId = "bench",
                SigningKeyPath = keyPath,
                SigningKeyId = "bench-client",
                TrustedServerCertificatePath = certPath,
                SpecVersion = Version,
                RedirectUri = new Uri("https://bench.example/cb"),
                PlatformAccount = new AccountOptions { Identification = Platform, Name = "Platform" },
                Quirks = { HeadlessAuthorization = true },
                CircuitMinimumThroughput = 10_000,
            };
        }, configSectionPath: null);
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<OpenBankingClients>().Get("sandbox");
        _transfers = _services.GetRequiredService<TransferService>();
        _instruction = new PaymentInstruction("bench", "bench", new Money(1, "GBP"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", Platform, "Platform"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", Customer, "Customer"), null);
        _paymentId = PayAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Benchmark(Description = "PisClient: consent + authorise + token + payment (1 payment)")]
    public Task<string> Payment() => PayAsync();

    [Benchmark(OperationsPerInvoke = 8, Description = "PisClient: 8 payments concurrently (per payment)")]
    public Task Payments8Concurrent() => Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PayAsync()));

    [Benchmark(Description = "TransferService.StartTopupAsync (payment + SQLite state machine)")]
    public Task<TransferOperation> Topup() =>
        _transfers.StartTopupAsync(new TransferRequest { Bank = "sandbox", AmountMinor = 1, Counterparty = _instruction.Debtor }, CancellationToken.None);

    [Benchmark(Description = "PisClient.GetPaymentAsync (status poll)")]
    public Task<DomesticPayment> Status() => _client.GetPaymentAsync(_paymentId, CancellationToken.None);

    private async Task<string> PayAsync()
    {
        var n = Interlocked.Increment(ref _counter);
        var key = $"bench-{Guid.NewGuid():N}";
        var consent = await _client.CreateConsentAsync(_instruction, key[..30] + "-c", CancellationToken.None).ConfigureAwait(false);
        var auth = await _client.BuildAuthorizationUrlAsync(consent.ConsentId, CancellationToken.None).ConfigureAwait(false);
        var code = await _client.AuthorizeHeadlessAsync(auth, CancellationToken.None).ConfigureAwait(false);
        var token = await _client.CompleteAuthorizationAsync(auth, code, auth.State, CancellationToken.None).ConfigureAwait(false);
        var payment = await _client.SubmitPaymentAsync(consent.ConsentId, _instruction, token, key[..30] + "-p", CancellationToken.None).ConfigureAwait(false);
        return n >= 0 ? payment.PaymentId : "";
    }
}

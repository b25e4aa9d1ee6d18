using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Transfers;
using Settlement.OpenBanking.Vrp;
using Settlement.SettlementService.OpenBanking;

namespace Settlement.OpenBanking.IntegrationTests.Support;

/// <summary>
/// A real <see cref="SandboxHost"/> (HTTPS on 127.0.0.1, its own manual clock) and the connector
/// hosted in a small web app that also receives the sandbox's event notifications. The connector
/// can be "restarted" (<see cref="RestartConnectorAsync"/>): a new process-like host over the same
/// SQLite file, with nothing kept in memory.
/// </summary>
public sealed class SandboxBank : IAsyncDisposable
{
    public const string Customer = "60161331926819";
    public const string Platform = "04000412345678";
    public const string Merchant = "20000055555555";
    public const string ClientId = "settlement-tpp";
    public const string BankName = "sandbox";
    private const string Redirect = "https://tpp.example/callback";

    private readonly string _dir;
    private readonly SigningKey _clientKey;
    private readonly string _keyPath;
    private readonly string _certPath;
    private readonly ObieVersion _version;
    private readonly Action<BankOptions>? _configure;

    private SandboxBank(SandboxHost host, FakeTimeProvider clock, string dir, SigningKey clientKey, ObieVersion version, Action<BankOptions>? configure)
    {
        Host = host;
        Clock = clock;
        _dir = dir;
        _clientKey = clientKey;
        _version = version;
        _configure = configure;
        _keyPath = Path.Combine(dir, "client.pem");
        File.WriteAllText(_keyPath, clientKey.ExportPkcs8Pem());
        _certPath = Path.Combine(dir, "sandbox-tls.pem");
        File.WriteAllText(_certPath, host.TlsCertificate.ExportCertificatePem());
        DatabasePath = Path.Combine(dir, "transfers.db");
    }

    public SandboxHost Host { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>When set before the connector (re)starts, the connector runs on <see cref="Clock"/> too (decoupled polling follows the bank's time).</summary>
    public bool ConnectorOnBankClock { get; set; }

    public string DatabasePath { get; }

    /// <summary>When set before the connector (re)starts, it is told of every transfer checkpoint (a test can "crash" there by throwing).</summary>
    public ITransferCheckpointObserver? Checkpoints { get; set; }

    public WebApplication? Connector { get; private set; }

    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    /// <summary>
    /// A gateway in front of the sandbox (test double for answers the sandbox does not give, e.g. a 403):
    /// when it returns a response, the request never reaches the sandbox.
    /// </summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Gateway { get; set; }

    public ConcurrentQueue<NotificationOutcome> Notifications { get; } = new();

    public TransferService Transfers => Connector!.Services.GetRequiredService<TransferService>();

    public OpenBankingClients Clients => Connector!.Services.GetRequiredService<OpenBankingClients>();

    public VrpSweepService Sweeps => Connector!.Services.GetRequiredService<VrpSweepService>();

    public static async Task<SandboxBank> StartAsync(ObieVersion version, Action<BankOptions>? configure = null, long platformBalance = 0, bool connectorOnBankClock = false)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new SandboxOptions
        {
            Port = 0,
            TimeProvider = clock,
            AcceptanceDelay = TimeSpan.FromSeconds(1),
            SettlementDelay = TimeSpan.FromSeconds(2),
        };
        options.Accounts.Add(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = 100_000 });
        options.Accounts.Add(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = platformBalance });
        options.Accounts.Add(new SandboxAccount { Identification = Merchant, Name = "Merchant", BalanceMinor = 0 });
        var host = await SandboxHost.StartAsync(options);
        var dir = Directory.CreateTempSubdirectory("ob-it-").FullName;
        var bank = new SandboxBank(host, clock, dir, SigningKey.Generate("tpp-kid-1"), version, configure) { ConnectorOnBankClock = connectorOnBankClock };
        await bank.StartConnectorAsync();
        return bank;
    }

    public long Balance(string account) => Host.Accounts.GetBalance(account);

    /// <summary>Stops the connector host (as a crash would: nothing in memory survives) and starts a fresh one over the same database.</summary>
    public async Task RestartConnectorAsync()
    {
        await StopConnectorAsync();
        await StartConnectorAsync();
    }

    public async Task StopConnectorAsync()
    {
        if (Connector is not null)
        {
            await Connector.StopAsync();
            await Connector.DisposeAsync();
            Connector = null;
        }
    }

    /// <summary>
    /// Rewrites one text column of a stored transfer straight in the connector's file (a test of what a changed or corrupted
    /// row does); call it while the connector is stopped. <paramref name="column"/> is a fixed name from the test, never input.
    /// </summary>
    public void OverwriteStoredTransfer(Guid id, string column, string value)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE transfer_operations SET {column} = $value WHERE id = $id";
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$id", id.ToString("N"));
        command.ExecuteNonQuery().ShouldBe(1);
    }

    /// <summary>Moves the sandbox clock on and applies due status changes (which sends notifications).</summary>
    public int AdvanceBank(TimeSpan by)
    {
        Clock.Advance(by);
        return Host.AdvanceStatuses();
    }

    /// <summary>Advances bank time and polls until the transfer is final (bounded number of rounds, no sleeping).</summary>
    public async Task<TransferOperation> DriveAsync(Guid id, int rounds = 10)
    {
        var op = (await Transfers.GetAsync(id, CancellationToken.None))!;
        for (var i = 0; i < rounds && !op.IsFinished; i++)
        {
            AdvanceBank(TimeSpan.FromSeconds(1));
            op = await Transfers.AdvanceAsync(id, CancellationToken.None);
        }

        return op;
    }

    /// <summary>Waits until <paramref name="count"/> notifications were received (bounded by a generous cancellation, not a threshold).</summary>
    public async Task WaitForNotificationsAsync(int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Notifications.Count < count)
        {
            await Task.Delay(20, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopConnectorAsync();
        await Host.DisposeAsync();
        _clientKey.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartConnectorAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        if (ConnectorOnBankClock)
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
        }

        if (Checkpoints is not null)
        {
            builder.Services.AddSingleton(Checkpoints);
        }

        builder.Services.AddOpenBanking(o =>
        {
            o.DatabasePath = DatabasePath;
            var bank = new BankOptions
            {
                BaseUrl = Host.BaseUrl,
                WellKnownEndpoint = new Uri(Host.Issuer),
                ClientId = ClientId,
                SigningKeyPath = _keyPath,
                SigningKeyId = _clientKey.KeyId,
                TrustedServerCertificatePath = _certPath,
                SpecVersion = _version,
                RedirectUri = new Uri(Redirect),
                PlatformAccount = new AccountOptions { Identification = Platform, Name = "Platform" },
                Quirks = { HeadlessAuthorization = true, RequireSignedGetResponses = true },
                AttemptTimeout = TimeSpan.FromSeconds(3),
                RetryBaseDelay = TimeSpan.FromMilliseconds(50),
                MaxRetryAfter = TimeSpan.FromSeconds(5),
                BankJwsIssuer = "sandbox-bank",
                // The tests drive time themselves (DriveAsync polls once per bank second).
                StatusPollInitialInterval = TimeSpan.Zero,
                StatusPollMaxInterval = TimeSpan.Zero,
            };
            _configure?.Invoke(bank);
            o.Banks[BankName] = bank;
        }, configSectionPath: null);
        builder.Services.AddVrpSweeps();
        builder.Services.AddHttpClient("openbanking:" + BankName).AddHttpMessageHandler(() => new RecordingHandler(Exchanges))
            .AddHttpMessageHandler(() => new GatewayHandler(r => Gateway?.Invoke(r)));
        var app = builder.Build();
        app.MapOpenBankingEventNotifications();
        app.Services.GetRequiredService<EventNotificationReceiver>().Received += (_, outcome) => Notifications.Enqueue(outcome);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Host.Clients.Register(new SandboxClient
        {
            ClientId = ClientId,
            SigningKey = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(_clientKey.PublicJwk())),
            RedirectUris = [Redirect],
            NotificationUrl = new Uri(address, $"/open-banking/{BankName}/event-notifications"),
        });
        Connector = app;
    }
}

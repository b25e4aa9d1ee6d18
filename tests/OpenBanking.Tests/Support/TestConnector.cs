using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Transfers;
using Settlement.Testing;

namespace Settlement.OpenBanking.Tests.Support;

/// <summary>The connector wired through <c>AddOpenBanking</c> against a <see cref="FakeBank"/>.</summary>
public sealed class TestConnector : IDisposable
{
    public const string ClientId = "tpp-client";

    private readonly string _dir;

    /// <summary>
    /// The connector tests' clock: retry back-offs (under 5 s) fire at once, attempt timeouts wait for
    /// <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider.Advance(TimeSpan)"/>.
    /// </summary>
    public static TestClock NewClock() =>
        new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero)) { AutoFireBelow = TimeSpan.FromSeconds(5) };

    public TestConnector(ObieVersion version = ObieVersion.V3_1_11, Action<BankOptions>? configure = null, string? databasePath = null, FakeBank? bank = null, TestClock? time = null, string[]? extraBanks = null,
        ITransferCheckpointObserver? checkpoints = null)
    {
        Time = time ?? NewClock();
        Bank = bank ?? new FakeBank(Time);
        _dir = Directory.CreateTempSubdirectory("ob-tests-").FullName;
        var keyPath = Path.Combine(_dir, "client.pem");
        using (var key = SigningKey.Generate("client-kid"))
        {
            File.WriteAllText(keyPath, key.ExportPkcs8Pem());
        }

        DatabasePath = databasePath ?? Path.Combine(_dir, "transfers.db");
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(Time);
        if (checkpoints is not null)
        {
            services.AddSingleton(checkpoints);
        }

        services.AddOpenBanking(o =>
        {
            o.DatabasePath = DatabasePath;
            var bankOptions = new BankOptions
            {
                BaseUrl = new Uri(FakeBank.Authority),
                WellKnownEndpoint = new Uri(FakeBank.Authority),
                ClientId = ClientId,
                SigningKeyPath = keyPath,
                SigningKeyId = "client-kid",
                SpecVersion = version,
                RedirectUri = new Uri("https://tpp.test/callback"),
                PlatformAccount = new AccountOptions { Identification = "04000412345678", Name = "Platform" },
                Quirks = { HeadlessAuthorization = true },
                RetryBaseDelay = TimeSpan.FromMilliseconds(10),
                BankJwsIssuer = FakeBank.Issuer,
                StatusPollInitialInterval = TimeSpan.Zero,
                StatusPollMaxInterval = TimeSpan.Zero,
            };
            configure?.Invoke(bankOptions);
            o.Banks["acme"] = bankOptions;
            foreach (var name in extraBanks ?? [])
            {
                o.Banks[name] = new BankOptions
                {
                    BaseUrl = bankOptions.BaseUrl, WellKnownEndpoint = bankOptions.WellKnownEndpoint, ClientId = ClientId, SigningKeyPath = keyPath,
                    SigningKeyId = "client-kid", SpecVersion = ObieVersion.V4_0, RedirectUri = bankOptions.RedirectUri,
                    PlatformAccount = bankOptions.PlatformAccount, Quirks = { HeadlessAuthorization = true }, RetryBaseDelay = TimeSpan.FromMilliseconds(10),
                };
            }
        }, configSectionPath: null);
        foreach (var name in (string[])["acme", .. extraBanks ?? []])
        {
            services.AddHttpClient("openbanking:" + name).ConfigurePrimaryHttpMessageHandler(() => Bank).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }
        Provider = services.BuildServiceProvider();
    }

    public TestClock Time { get; }

    public FakeBank Bank { get; }

    public string DatabasePath { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ServiceProvider Provider { get; }

    public OpenBankingClients Clients => Provider.GetRequiredService<OpenBankingClients>();

    public TransferService Transfers => Provider.GetRequiredService<TransferService>();

    public EventNotificationReceiver Receiver => Provider.GetRequiredService<EventNotificationReceiver>();

    /// <summary>Asserts that the bank was asked for no payment and no funds confirmation.</summary>
    public void ShouldHaveRequestedNoPayment()
    {
        Bank.PaymentsCreated.ShouldBe(0);
        Bank.Requests.ShouldNotContain(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal));
        Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath.EndsWith("/funds-confirmation", StringComparison.Ordinal));
    }

    /// <summary>The number of stored transfer rows matching <paramref name="where"/>, read straight from the database file.</summary>
    public long CountStoredTransfers(string where)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM transfer_operations WHERE " + where;
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        Provider.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Validation;
using Settlement.Testing;

namespace Settlement.BankSandbox.Tests.Support;

/// <summary>Starts a fresh sandbox (real HTTPS on a free 127.0.0.1 port, fake clock) and one registered TPP per test.</summary>
public abstract class SandboxTestBase : IAsyncLifetime
{
    protected TestClock Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    protected SandboxHost Bank { get; private set; } = null!;

    protected TppClient Tpp { get; private set; } = null!;

    protected virtual Uri? NotificationUrl => null;

    protected virtual void Configure(SandboxOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions
        {
            Port = 0,
            TimeProvider = Clock,
            AcceptanceDelay = TimeSpan.FromSeconds(1),
            SettlementDelay = TimeSpan.FromSeconds(2),
        };
        options.Accounts.Add(new SandboxAccount { Identification = Bodies.Customer, Name = "Customer", BalanceMinor = 100_000 });
        options.Accounts.Add(new SandboxAccount { Identification = Bodies.Platform, Name = "Platform", BalanceMinor = 0 });
        Configure(options);
        Bank = await SandboxHost.StartAsync(options, CancellationToken.None);
        Tpp = TppClient.Register(Bank, Clock, notificationUrl: NotificationUrl);
    }

    public async Task DisposeAsync()
    {
        Tpp.Dispose();
        await Bank.DisposeAsync();
    }

    /// <summary>Reads a response, checks it against the OpenAPI file of the version, and returns its JSON.</summary>
    protected static async Task<JsonObject> ReadValidAsync(HttpResponseMessage response, PisVersion version, string method, string path, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        var result = OpenApiSchemaValidator.For(version).ValidateResponse(method, path, (int)expected, text);
        result.IsValid.ShouldBeTrue(result.ToString());
        return (JsonObject)JsonNode.Parse(text)!;
    }

    protected async Task<string> CreateConsentAsync(PisVersion version, string token, JsonObject initiation, string? key = null)
    {
        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(initiation).ToJsonString(), token, key ?? Guid.NewGuid().ToString());
        var json = await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        return json["Data"]!["ConsentId"]!.GetValue<string>();
    }

    protected static string ErrorCode(JsonObject error) => error["Errors"]![0]!["ErrorCode"]!.GetValue<string>();
}

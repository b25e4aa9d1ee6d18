using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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

    /// <summary>
    /// A CIBA backchannel authentication request (a signed request object, PS256, the TPP's key) asking for an ID token that
    /// names <paramref name="consentId"/>; with <paramref name="loginHint"/> when given, and the claims changed by
    /// <paramref name="edit"/> before signing.
    /// </summary>
    protected string CibaRequest(string consentId, string? loginHint = null, Action<JsonObject>? edit = null)
    {
        var now = Clock.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = Tpp.ClientId,
            ["aud"] = Bank.Issuer,
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["scope"] = "openid payments",
            ["claims"] = new JsonObject
            {
                ["id_token"] = new JsonObject { ["openbanking_intent_id"] = new JsonObject { ["value"] = consentId, ["essential"] = true } },
            },
        };
        if (loginHint is not null)
        {
            claims["login_hint"] = loginHint;
        }

        edit?.Invoke(claims);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            claims.ToJsonString(),
            new SigningCredentials(new RsaSecurityKey(Tpp.Key) { KeyId = Tpp.Kid }, SecurityAlgorithms.RsaSsaPssSha256));
    }

    protected static string ErrorCode(JsonObject error) => error["Errors"]![0]!["ErrorCode"]!.GetValue<string>();
}

using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Tests.Support;
using Settlement.BankSandbox.Validation;

namespace Settlement.BankSandbox.Tests.Vrp;

/// <summary>VRP request bodies (OBIE VRP v4.0 shapes) and calls shared by the VRP tests.</summary>
public abstract class VrpTestBase : SandboxTestBase
{
    protected const PisVersion V4 = PisVersion.V4;

    protected static JsonObject Account(string identification, string name) => new()
    {
        ["SchemeName"] = "UK.OBIE.SortCodeAccountNumber",
        ["Identification"] = identification,
        ["Name"] = name,
    };

    protected static JsonObject Initiation() => new()
    {
        ["DebtorAccount"] = Account(Bodies.Customer, "Customer"),
        ["CreditorAccount"] = Account(Bodies.Platform, "Platform"),
    };

    protected static JsonObject Limit(string type, string alignment, string amount) => new()
    {
        ["PeriodType"] = type,
        ["PeriodAlignment"] = alignment,
        ["Amount"] = amount,
        ["Currency"] = "GBP",
    };

    /// <summary>Sweeping, £50 per payment, £100 a consent-aligned day unless <paramref name="limits"/> says otherwise.</summary>
    protected JsonObject ConsentBody(string maximum = "50.00", JsonArray? limits = null, DateTimeOffset? validTo = null, Action<JsonObject>? edit = null)
    {
        var cp = new JsonObject
        {
            ["ValidFromDateTime"] = Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture),
            ["ValidToDateTime"] = (validTo ?? Clock.GetUtcNow().AddDays(90)).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture),
            ["MaximumIndividualAmount"] = new JsonObject { ["Amount"] = maximum, ["Currency"] = "GBP" },
            ["PeriodicLimits"] = limits ?? new JsonArray(Limit("Day", "Consent", "100.00")),
            ["VRPType"] = new JsonArray("UK.OBIE.VRPType.Sweeping"),
            ["PSUAuthenticationMethods"] = new JsonArray("UK.OBIE.SCANotRequired"),
        };
        var body = new JsonObject
        {
            ["Data"] = new JsonObject { ["ReadRefundAccount"] = "Yes", ["ControlParameters"] = cp, ["Initiation"] = Initiation() },
            ["Risk"] = new JsonObject { ["PaymentContextCode"] = "TransferToSelf" },
        };
        edit?.Invoke(body);
        return body;
    }

    protected static JsonObject PaymentBody(string consentId, string amount, string reference = "sweep-1", Action<JsonObject>? edit = null)
    {
        var body = new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["ConsentId"] = consentId,
                ["PSUAuthenticationMethod"] = "UK.OBIE.SCANotRequired",
                ["VRPType"] = "UK.OBIE.VRPType.Sweeping",
                ["Initiation"] = Initiation(),
                ["Instruction"] = new JsonObject
                {
                    ["InstructionIdentification"] = reference,
                    ["EndToEndIdentification"] = "e2e-" + reference,
                    ["InstructedAmount"] = new JsonObject { ["Amount"] = amount, ["Currency"] = "GBP" },
                    ["CreditorAccount"] = Account(Bodies.Platform, "Platform"),
                },
            },
            ["Risk"] = new JsonObject { ["PaymentContextCode"] = "TransferToSelf" },
        };
        edit?.Invoke(body);
        return body;
    }

    /// <summary>Reads a response and checks it against the VRP OpenAPI file.</summary>
    protected static async Task<JsonObject> ReadVrpAsync(HttpResponseMessage response, string method, string template, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        response.Headers.Contains("x-fapi-interaction-id").ShouldBeTrue();
        if (text.Length > 0)
        {
            response.Headers.Contains("x-jws-signature").ShouldBeTrue();
        }

        var result = OpenApiSchemaValidator.Vrp.ValidateResponse(method, template, (int)expected, text);
        result.IsValid.ShouldBeTrue(result.ToString());
        return text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!;
    }

    protected async Task<string> CreateVrpConsentAsync(string cc, JsonObject body, string? key = null)
    {
        using var response = await Tpp.PostAsync(V4, "domestic-vrp-consents", body.ToJsonString(), cc, key ?? Guid.NewGuid().ToString());
        var json = await ReadVrpAsync(response, "POST", "/domestic-vrp-consents", HttpStatusCode.Created);
        json["Data"]!["Status"]!.GetValue<string>().ShouldBe("AWAU");
        return json["Data"]!["ConsentId"]!.GetValue<string>();
    }

    /// <summary>A created and authorised sweeping consent and its consent-bound access token.</summary>
    protected async Task<(string ConsentId, string Token, string ClientToken)> AuthorisedConsentAsync(JsonObject? body = null)
    {
        var (consentId, token, cc, _) = await AuthorisedWithRefreshAsync(body);
        return (consentId, token, cc);
    }

    /// <summary>As <see cref="AuthorisedConsentAsync"/>, with the refresh token a VRP consent's code grant gives.</summary>
    protected async Task<(string ConsentId, string Token, string ClientToken, string Refresh)> AuthorisedWithRefreshAsync(JsonObject? body = null)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateVrpConsentAsync(cc, body ?? ConsentBody());
        var verifier = TppClient.NewVerifier();
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);
        redirect.ShouldContainKey("code");
        using var response = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var json = JsonNode.Parse(text)!;
        return (consentId, json["access_token"]!.GetValue<string>(), cc, json["refresh_token"]!.GetValue<string>());
    }

    protected Dictionary<string, string> RefreshForm(string refresh) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refresh,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = Tpp.Assertion(),
    };

    /// <summary>A new consent-bound access token from the refresh token.</summary>
    protected async Task<string> RefreshAsync(string refresh)
    {
        using var response = await Tpp.TokenRequestAsync(RefreshForm(refresh));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["access_token"]!.GetValue<string>();
    }

    protected async Task<HttpResponseMessage> PayAsync(string token, string consentId, string amount, string? key = null, string reference = "sweep-1") =>
        await Tpp.PostAsync(V4, "domestic-vrps", PaymentBody(consentId, amount, reference).ToJsonString(), token, key ?? Guid.NewGuid().ToString());

    protected async Task<string> PayOkAsync(string token, string consentId, string amount, string? key = null)
    {
        using var response = await PayAsync(token, consentId, amount, key);
        var json = await ReadVrpAsync(response, "POST", "/domestic-vrps", HttpStatusCode.Created);
        return json["Data"]!["DomesticVRPId"]!.GetValue<string>();
    }

    protected async Task<string> ConsentStatusAsync(string cc, string consentId)
    {
        using var response = await Tpp.GetAsync(V4, "domestic-vrp-consents/" + consentId, cc);
        return (await ReadVrpAsync(response, "GET", "/domestic-vrp-consents/{ConsentId}", HttpStatusCode.OK))["Data"]!["Status"]!.GetValue<string>();
    }

    protected async Task<HttpResponseMessage> FundsAsync(string token, string consentId, string amount) =>
        await Tpp.PostAsync(
            V4,
            $"domestic-vrp-consents/{consentId}/funds-confirmation",
            new JsonObject { ["Data"] = new JsonObject { ["ConsentId"] = consentId, ["Reference"] = "top-up", ["InstructedAmount"] = new JsonObject { ["Amount"] = amount, ["Currency"] = "GBP" } } }.ToJsonString(),
            token,
            idempotencyKey: null);

    protected static async Task<(string Code, string? Path)> ErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        response.Headers.Contains("x-jws-signature").ShouldBeTrue();
        var result = OpenApiSchemaValidator.Vrp.ValidateSchema("OBErrorResponse1", text);
        result.IsValid.ShouldBeTrue(result.ToString());
        var error = JsonNode.Parse(text)!["Errors"]![0]!;
        return (error["ErrorCode"]!.GetValue<string>(), error["Path"]?.GetValue<string>());
    }
}

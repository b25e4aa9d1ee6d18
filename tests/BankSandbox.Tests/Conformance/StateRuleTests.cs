using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>Class 5: funds confirmation only on an Authorised consent; a decoupled poll reports the consent's real state.</summary>
public sealed class StateRuleTests : ConformanceTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.InvalidConsentStatus")]
    [InlineData(PisVersion.V4, "U009")]
    public async Task FundsConfirmation_OnConsumedConsent_400InvalidConsentStatus(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("2.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using (var before = await Tpp.GetAsync(version, $"domestic-payment-consents/{consentId}/funds-confirmation", token))
        {
            (await ReadValidAsync(before, version, "GET", "/domestic-payment-consents/{ConsentId}/funds-confirmation", HttpStatusCode.OK))["Data"]!["FundsAvailableResult"]!["FundsAvailable"]!.GetValue<bool>().ShouldBeTrue();
        }

        using (var paid = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("2.00")).ToJsonString(), token, "p-1"))
        {
            paid.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        using var after = await Tpp.GetAsync(version, $"domestic-payment-consents/{consentId}/funds-confirmation", token);

        await ReadErrorAsync(after, HttpStatusCode.BadRequest, code, version, "GET", "/domestic-payment-consents/{ConsentId}/funds-confirmation");
    }

    [Fact]
    public async Task DecoupledPoll_ConsentAuthorisedByRedirectMeanwhile_ReportsAuthorisedWithToken()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("5.00"));
        var authReqId = await BackchannelAsync(consentId);
        _ = await Tpp.AuthorisedTokenAsync(consentId);
        Clock.Advance(TimeSpan.FromSeconds(2));

        using var poll = await PollAsync(authReqId);

        var text = await poll.Content.ReadAsStringAsync();
        poll.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var token = JsonNode.Parse(text)!["access_token"]!.GetValue<string>();
        using var funds = await Tpp.GetAsync(PisVersion.V4, $"domestic-payment-consents/{consentId}/funds-confirmation", token);
        funds.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConsentStatusAsync(PisVersion.V4, cc, consentId)).ShouldBe("AUTH");
    }

    [Fact]
    public async Task DecoupledPoll_ConsentAlreadyConsumed_InvalidGrantNoSecondPayment()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation("5.00"));
        var authReqId = await BackchannelAsync(consentId);
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using (var paid = await Tpp.PostAsync(PisVersion.V3, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("5.00")).ToJsonString(), token, "p-1"))
        {
            paid.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        Clock.Advance(TimeSpan.FromSeconds(2));
        using var poll = await PollAsync(authReqId);

        var text = await poll.Content.ReadAsStringAsync();
        poll.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonNode.Parse(text)!["error"]!.GetValue<string>().ShouldBe("invalid_grant");
        (await ConsentStatusAsync(PisVersion.V3, cc, consentId)).ShouldBe("Consumed");
        Bank.PaymentCount.ShouldBe(1);
    }

    [Fact]
    public async Task DecoupledPoll_ConsentExpiredMeanwhile_AccessDenied()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation());
        body["Data"]!["Authorisation"] = new JsonObject
        {
            ["AuthorisationType"] = "Single",
            ["CompletionDateTime"] = Clock.GetUtcNow().AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
        };
        using var created = await Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", body.ToJsonString(), cc, "k-1");
        var consentId = (await ReadValidAsync(created, PisVersion.V3, "POST", "/domestic-payment-consents", HttpStatusCode.Created))["Data"]!["ConsentId"]!.GetValue<string>();
        var authReqId = await BackchannelAsync(consentId);
        Clock.Advance(TimeSpan.FromSeconds(2));

        using var poll = await PollAsync(authReqId);

        var text = await poll.Content.ReadAsStringAsync();
        poll.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonNode.Parse(text)!["error"]!.GetValue<string>().ShouldBe("access_denied");
        (await ConsentStatusAsync(PisVersion.V3, cc, consentId)).ShouldBe("Rejected");
    }

    private async Task<string> BackchannelAsync(string consentId)
    {
        var now = Clock.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = Tpp.ClientId,
            ["aud"] = Bank.Issuer,
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["scope"] = "openid payments",
            ["claims"] = new JsonObject
            {
                ["id_token"] = new JsonObject { ["openbanking_intent_id"] = new JsonObject { ["value"] = consentId, ["essential"] = true } },
            },
        };
        var request = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            claims.ToJsonString(),
            new SigningCredentials(new RsaSecurityKey(Tpp.Key) { KeyId = Tpp.Kid }, SecurityAlgorithms.RsaSsaPssSha256));
        using var response = await Tpp.TokenEndpointFormAsync("as/bc-authorize", new Dictionary<string, string> { ["request"] = request });
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return json["auth_req_id"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> PollAsync(string authReqId) =>
        Tpp.TokenEndpointFormAsync("as/token", new Dictionary<string, string>
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = authReqId,
        });
}

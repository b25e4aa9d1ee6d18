using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.OAuth;

/// <summary>Decoupled authorisation (CIBA, poll mode): bc-authorize, authorization_pending, then the customer's answer.</summary>
public sealed class DecoupledFlowTests : SandboxTestBase
{
    [Fact]
    public async Task Ciba_CustomerApprovesAfterDelay_PendingThenTokenThatPays()
    {
        var discovery = JsonNode.Parse(await Tpp.Http.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative)))!;
        discovery["backchannel_authentication_endpoint"]!.GetValue<string>().ShouldBe(Bank.Issuer + "/as/bc-authorize");
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("8.00"));

        var authReqId = await BackchannelAsync(consentId);
        using (var pending = await PollAsync(authReqId))
        {
            pending.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await pending.Content.ReadAsStringAsync()).ShouldContain("authorization_pending");
        }

        Clock.Advance(TimeSpan.FromSeconds(2));
        using var granted = await PollAsync(authReqId);
        var json = JsonNode.Parse(await granted.Content.ReadAsStringAsync())!;
        granted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var idToken = new JsonWebToken(json["id_token"]!.GetValue<string>());
        idToken.GetClaim("openbanking_intent_id").Value.ShouldBe(consentId);

        using var payment = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("8.00")).ToJsonString(), json["access_token"]!.GetValue<string>(), "ciba-pay");
        payment.StatusCode.ShouldBe(HttpStatusCode.Created);

        using var reused = await PollAsync(authReqId);
        reused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ciba_CustomerDeclines_AccessDeniedConsentRejected()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());
        Bank.Customer.SetDecision(consentId, CustomerDecision.Decline);
        var authReqId = await BackchannelAsync(consentId);
        Clock.Advance(TimeSpan.FromSeconds(2));

        using var denied = await PollAsync(authReqId);

        denied.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await denied.Content.ReadAsStringAsync()).ShouldContain("access_denied");
        using var consent = await Tpp.GetAsync(PisVersion.V3, "domestic-payment-consents/" + consentId, cc);
        (await ReadValidAsync(consent, PisVersion.V3, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK))["Data"]!["Status"]!.GetValue<string>().ShouldBe("Rejected");
    }

    [Fact]
    public async Task Ciba_UnknownConsent_InvalidRequest()
    {
        using var response = await Tpp.TokenEndpointFormAsync("as/bc-authorize", new Dictionary<string, string>
        {
            ["request"] = CibaRequest("dpc-unknown", loginHint: "customer"),
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<string> BackchannelAsync(string consentId)
    {
        using var response = await Tpp.TokenEndpointFormAsync("as/bc-authorize", new Dictionary<string, string> { ["request"] = CibaRequest(consentId, loginHint: "customer") });
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        json["interval"]!.GetValue<int>().ShouldBeGreaterThan(0);
        return json["auth_req_id"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> PollAsync(string authReqId) =>
        Tpp.TokenEndpointFormAsync("as/token", new Dictionary<string, string>
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = authReqId,
        });
}

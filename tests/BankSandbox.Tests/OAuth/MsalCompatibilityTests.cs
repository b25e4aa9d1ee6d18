using Microsoft.Identity.Client;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.OAuth;

/// <summary>MSAL (the connector's token client) against the sandbox's OIDC server: discovery, issuer check, both grants.</summary>
public sealed class MsalCompatibilityTests : SandboxTestBase
{
    [Fact]
    public async Task Msal_ClientCredentialsWithPs256Assertion_TokenWorksOnPis()
    {
        var app = Build();

        var result = await app.AcquireTokenForClient(["payments"]).ExecuteAsync();

        result.AccessToken.ShouldNotBeNullOrEmpty();
        result.AuthenticationResultMetadata.TokenSource.ShouldBe(TokenSource.IdentityProvider);
        // expires_in 3600 is above MSAL's 5-minute refresh margin, so the second call is served from its cache.
        var again = await app.AcquireTokenForClient(["payments"]).ExecuteAsync();
        again.AuthenticationResultMetadata.TokenSource.ShouldBe(TokenSource.Cache);
        again.AccessToken.ShouldBe(result.AccessToken);
        var consentId = await CreateConsentAsync(PisVersion.V4, result.AccessToken, Bodies.Initiation());
        consentId.ShouldStartWith("dpc-");
    }

    [Fact]
    public async Task Msal_AuthorizationCodeWithPkce_TokenPaysTheConsent()
    {
        var app = Build();
        var cc = (await app.AcquireTokenForClient(["payments"]).ExecuteAsync()).AccessToken;
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation("1.00"));
        var verifier = TppClient.NewVerifier();
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);

        var result = await app.AcquireTokenByAuthorizationCode(["openid", "payments"], redirect["code"]).WithPkceCodeVerifier(verifier).ExecuteAsync();

        using var payment = await Tpp.PostAsync(PisVersion.V3, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("1.00")).ToJsonString(), result.AccessToken, "msal-pay");
        payment.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
    }

    private IConfidentialClientApplication Build() =>
        ConfidentialClientApplicationBuilder.Create(Tpp.ClientId)
            .WithOidcAuthority(Bank.Issuer)
            .WithRedirectUri(TppClient.RedirectUri)
            .WithClientAssertion((AssertionRequestOptions o) => Task.FromResult(Tpp.Assertion(audience: o.TokenEndpoint)))
            .WithHttpClientFactory(new Factory(Tpp.Http))
            .Build();

    private sealed class Factory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}

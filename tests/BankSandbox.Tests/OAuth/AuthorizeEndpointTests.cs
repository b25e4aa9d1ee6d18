using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.OAuth;

public sealed class AuthorizeEndpointTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "Authorised")]
    [InlineData(PisVersion.V4, "AUTH")]
    public async Task Authorize_CustomerApproves_RedirectsWithCodeAndConsentAuthorised(PisVersion version, string authorised)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation());
        var verifier = TppClient.NewVerifier();

        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);

        redirect["state"].ShouldBe("st-1");
        redirect["code"].ShouldNotBeNullOrEmpty();
        using var consent = await Tpp.GetAsync(version, "domestic-payment-consents/" + consentId, cc);
        var json = await ReadValidAsync(consent, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK);
        json["Data"]!["Status"]!.GetValue<string>().ShouldBe(authorised);

        using var exchange = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);
        var token = JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!;
        exchange.StatusCode.ShouldBe(HttpStatusCode.OK);
        token["scope"]!.GetValue<string>().ShouldContain("payments");

        // The id_token verifies with the bank's published JWKS (an independent JWT implementation).
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token["id_token"]!.GetValue<string>(), new TokenValidationParameters
        {
            ValidIssuer = Bank.Issuer,
            ValidAudience = Tpp.ClientId,
            IssuerSigningKeys = Bank.SigningKeys.Keys,
            ValidateLifetime = false,
        });
        validation.IsValid.ShouldBeTrue(validation.Exception?.Message);
        validation.Claims["openbanking_intent_id"].ShouldBe(consentId);
        validation.Claims["nonce"].ShouldBe("n-1");
    }

    [Theory]
    [InlineData(PisVersion.V3, "Rejected")]
    [InlineData(PisVersion.V4, "RJCT")]
    public async Task Authorize_CustomerDeclines_AccessDeniedAndConsentRejected(PisVersion version, string rejected)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation());
        Bank.Customer.SetDecision(consentId, CustomerDecision.Decline);

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier());

        redirect["error"].ShouldBe("access_denied");
        redirect["state"].ShouldBe("st-1");
        redirect.ShouldNotContainKey("code");
        using var consent = await Tpp.GetAsync(version, "domestic-payment-consents/" + consentId, cc);
        var json = await ReadValidAsync(consent, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK);
        json["Data"]!["Status"]!.GetValue<string>().ShouldBe(rejected);
    }

    [Fact]
    public async Task Authorize_QueryDecisionDecline_Declines()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier(), "&sandbox_decision=decline");

        redirect["error"].ShouldBe("access_denied");
    }

    [Fact]
    public async Task Authorize_ConsentWithoutDebtorAndNoChoice_Declines()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation(debtor: null));

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier());

        redirect["error"].ShouldBe("access_denied");
    }

    [Fact]
    public async Task Authorize_RequestObjectSignedByAnotherKey_400NoRedirect()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        using var other = RSA.Create(2048);
        var url = $"as/authorize?client_id={Tpp.ClientId}&request={Tpp.RequestObject(consentId, TppClient.Challenge(TppClient.NewVerifier()), signWith: other)}";

        using var response = await Tpp.Http.GetAsync(new Uri(url, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Authorize_SecondTime_ConsentNoLongerAwaiting()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        (await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier())).ShouldContainKey("code");

        var again = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier());

        again["error"].ShouldBe("invalid_request");
    }

    [Fact]
    public async Task CodeExchange_WrongVerifier_InvalidGrantAndCodeGone()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        var verifier = TppClient.NewVerifier();
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);

        using var wrong = await Tpp.ExchangeCodeAsync(redirect["code"], TppClient.NewVerifier());
        using var right = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);

        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("invalid_grant");
        right.StatusCode.ShouldBe(HttpStatusCode.BadRequest); // single use: a failed redemption burns the code
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CodeExchange_IdTokenNonce_IsTheOneTheRequestObjectCarried(bool sendNonce)
    {
        // Each authorisation's own nonce comes back (not a constant); a request without one gets an ID token without one.
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        var verifier = TppClient.NewVerifier();
        var nonce = Guid.NewGuid().ToString("N");
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier, editClaims: c =>
        {
            c.Remove("nonce");
            if (sendNonce)
            {
                c["nonce"] = nonce;
            }
        });

        using var exchange = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);
        exchange.StatusCode.ShouldBe(HttpStatusCode.OK);
        var idToken = new JsonWebToken(JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!["id_token"]!.GetValue<string>());

        idToken.TryGetPayloadValue<string>("nonce", out var echoed).ShouldBe(sendNonce);
        if (sendNonce)
        {
            echoed.ShouldBe(nonce);
        }
    }

    [Fact]
    public async Task CodeExchange_Twice_SecondIsInvalidGrant()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());
        var verifier = TppClient.NewVerifier();
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);

        using var first = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);
        using var second = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}

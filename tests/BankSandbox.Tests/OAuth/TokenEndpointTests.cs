using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.OAuth;

public sealed class TokenEndpointTests : SandboxTestBase
{
    [Fact]
    public async Task Discovery_Served_NamesIssuerEndpointsAndMethods()
    {
        var json = JsonNode.Parse(await Tpp.Http.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative)))!;

        json["issuer"]!.GetValue<string>().ShouldBe(Bank.Issuer);
        Bank.Issuer.ShouldBe(Bank.BaseUrl.ToString().TrimEnd('/'));
        json["token_endpoint"]!.GetValue<string>().ShouldBe(Bank.Issuer + "/as/token");
        json["authorization_endpoint"]!.GetValue<string>().ShouldBe(Bank.Issuer + "/as/authorize");
        json["jwks_uri"]!.GetValue<string>().ShouldBe(Bank.Issuer + "/jwks");
        json["token_endpoint_auth_methods_supported"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["private_key_jwt", "client_secret_post"], ignoreOrder: true);
        json["code_challenge_methods_supported"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["S256"]);
        json["request_object_signing_alg_values_supported"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldContain("PS256");

        var jwks = JsonNode.Parse(await Tpp.Http.GetStringAsync(new Uri("jwks", UriKind.Relative)))!;
        var key = jwks["keys"]![0]!;
        key["kty"]!.GetValue<string>().ShouldBe("RSA");
        key["kid"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        key["d"].ShouldBeNull();
    }

    [Fact]
    public async Task Token_PrivateKeyJwt_IssuesBearerForAnHour()
    {
        using var response = await Tpp.TokenRequestAsync(CcForm(Tpp.Assertion()));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        json["token_type"]!.GetValue<string>().ShouldBe("Bearer");
        json["expires_in"]!.GetValue<int>().ShouldBe(3600);
        json["access_token"]!.GetValue<string>().Length.ShouldBeGreaterThan(20);
    }

    [Fact]
    public async Task Token_AssertionAudienceIsIssuer_Accepted()
    {
        using var response = await Tpp.TokenRequestAsync(CcForm(Tpp.Assertion(audience: Bank.Issuer)));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Token_ClientSecretPost_IssuesToken()
    {
        using var client = TppClient.Register(Bank, Clock, "tpp-secret", secret: "s3cret-value");
        using var response = await client.TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "payments",
            ["client_id"] = "tpp-secret",
            ["client_secret"] = "s3cret-value",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var wrong = await client.TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "tpp-secret",
            ["client_secret"] = "s3cret-valuf",
        });
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("invalid_client");
    }

    [Fact]
    public async Task Token_AssertionSignedByAnotherKey_InvalidClient()
    {
        using var other = RSA.Create(2048);
        using var response = await Tpp.TokenRequestAsync(CcForm(Tpp.Assertion(signWith: other)));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldContain("invalid_client");
    }

    [Fact]
    public async Task Token_ReplayedJti_InvalidClient()
    {
        var assertion = Tpp.Assertion(jti: "jti-once");
        using var first = await Tpp.TokenRequestAsync(CcForm(assertion));
        using var replay = await Tpp.TokenRequestAsync(CcForm(assertion));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await replay.Content.ReadAsStringAsync()).ShouldContain("jti");
    }

    [Fact]
    public async Task Token_ExpiredAssertionOnSandboxClock_InvalidClient()
    {
        var assertion = Tpp.Assertion(expires: Clock.GetUtcNow().AddMinutes(1));
        Clock.Advance(TimeSpan.FromMinutes(2));
        using var response = await Tpp.TokenRequestAsync(CcForm(assertion));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Token_WrongAudience_InvalidClient()
    {
        using var response = await Tpp.TokenRequestAsync(CcForm(Tpp.Assertion(audience: "https://other.example/token")));
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Token_ExpiresAfterAnHourOfSandboxTime_PisAnswers401()
    {
        var token = await Tpp.ClientCredentialsTokenAsync();
        using (var ok = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), token, "k1"))
        {
            ok.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        Clock.Advance(TimeSpan.FromHours(1));
        using var expired = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), token, "k2");
        expired.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Token_UnsupportedGrant_Rejected()
    {
        var form = CcForm(Tpp.Assertion());
        form["grant_type"] = "password";
        using var response = await Tpp.TokenRequestAsync(form);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("unsupported_grant_type");
    }

    [Fact]
    public void Register_ClientWithoutSecretOrKey_Throws()
    {
        Should.Throw<ArgumentException>(() => Bank.Clients.Register(new SandboxClient { ClientId = "nothing" }));
    }

    private static Dictionary<string, string> CcForm(string assertion) => new()
    {
        ["grant_type"] = "client_credentials",
        ["scope"] = "payments",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };
}

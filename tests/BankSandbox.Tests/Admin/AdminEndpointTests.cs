using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Admin;

/// <summary>The admin HTTP twins of the in-process control objects.</summary>
public sealed class AdminEndpointTests : SandboxTestBase
{
    [Fact]
    public async Task Accounts_PostThenGet_SetsBalance()
    {
        using var post = await Tpp.Http.PostAsJsonAsync(new Uri("sandbox/accounts", UriKind.Relative), new { identification = "30000011112222", name = "Shop", balanceMinor = 4_200 });
        post.StatusCode.ShouldBe(HttpStatusCode.OK);

        var accounts = JsonNode.Parse(await Tpp.Http.GetStringAsync(new Uri("sandbox/accounts", UriKind.Relative)))!.AsArray();
        var shop = accounts.Single(a => a!["identification"]!.GetValue<string>() == "30000011112222")!;
        shop["balanceMinor"]!.GetValue<long>().ShouldBe(4_200);
        shop["currency"]!.GetValue<string>().ShouldBe("GBP");
        Bank.Accounts.GetBalance("30000011112222").ShouldBe(4_200);
    }

    [Fact]
    public async Task Accounts_BadIdentification_ProblemJson()
    {
        using var post = await Tpp.Http.PostAsJsonAsync(new Uri("sandbox/accounts", UriKind.Relative), new { identification = "12-34", balanceMinor = 1 });

        post.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        post.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Clients_RegisterWithJwkOverHttp_ClientCanGetTokens()
    {
        using var key = RSA.Create(2048);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = "kid-http" });
        var body = new JsonObject
        {
            ["client_id"] = "tpp-http",
            ["jwk"] = new JsonObject { ["kty"] = "RSA", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E },
            ["redirect_uris"] = new JsonArray("https://tpp.example/cb"),
        };
        using var post = await Tpp.Http.PostAsync(new Uri("sandbox/clients", UriKind.Relative), JsonContent.Create(body));
        post.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        Bank.Clients.TryGet("tpp-http", out var client).ShouldBeTrue();
        client!.SigningKey!.KeyId.ShouldBe("kid-http");
        var assertion = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = "tpp-http",
                ["sub"] = "tpp-http",
                ["aud"] = Bank.Issuer + "/as/token",
                ["jti"] = "j1",
                ["exp"] = Clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "kid-http" }, SecurityAlgorithms.RsaSsaPssSha256),
        });
        using var token = await Tpp.TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });
        token.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Decisions_DeclineOverHttp_AuthorizeDeclines()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        using var post = await Tpp.Http.PostAsJsonAsync(new Uri("sandbox/decisions", UriKind.Relative), new { consentId, decision = "decline" });
        post.StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier());

        redirect["error"].ShouldBe("access_denied");
    }

    [Fact]
    public async Task Admin_NotJson_ProblemJson()
    {
        using var post = await Tpp.Http.PostAsync(new Uri("sandbox/faults", UriKind.Relative), new StringContent("nope"));

        post.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        post.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}

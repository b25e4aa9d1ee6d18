using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Security;

public sealed class JwsTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Invalid")]
    [InlineData(PisVersion.V4, "U015")]
    public async Task Post_SignatureOfAnotherBody_SignatureInvalidNothingCreated(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var signed = Tpp.Sign(Encoding.UTF8.GetBytes(Bodies.Consent(Bodies.Initiation("1.00")).ToJsonString()));

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation("9999.00")).ToJsonString(), cc, "k", jws: signed);

        ErrorCode(await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe(code);
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(0);
    }

    [Fact]
    public async Task Post_SignedByAnotherKey_SignatureInvalid()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();
        using var other = RSA.Create(2048);

        using var response = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "k", jws: Tpp.Sign(Encoding.UTF8.GetBytes(body), signWith: other));

        ErrorCode(await ReadValidAsync(response, PisVersion.V4, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe("U015");
    }

    public static TheoryData<string, string, string> HeaderCases => new()
    {
        { "b64", "UK.OBIE.Signature.Malformed", "b64" },
        { "no-tan", "UK.OBIE.Signature.MissingClaim", "http://openbanking.org.uk/tan" },
        { "wrong-iss", "UK.OBIE.Signature.InvalidClaim", "http://openbanking.org.uk/iss" },
        { "wrong-kid", "UK.OBIE.Signature.InvalidClaim", "kid" },
        { "rs256", "UK.OBIE.Signature.InvalidClaim", "alg" },
        { "short-crit", "UK.OBIE.Signature.InvalidClaim", "crit" },
        { "future-iat", "UK.OBIE.Signature.InvalidClaim", "http://openbanking.org.uk/iat" },
    };

    [Theory]
    [MemberData(nameof(HeaderCases))]
    public async Task Post_BadProtectedHeader_SignatureClaimError(string breakage, string code, string path)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();
        var jws = Tpp.Sign(Encoding.UTF8.GetBytes(body), h =>
        {
            switch (breakage)
            {
                case "b64": h["b64"] = false; break;
                case "no-tan": h.Remove("http://openbanking.org.uk/tan"); break;
                case "wrong-iss": h["http://openbanking.org.uk/iss"] = "someone-else"; break;
                case "wrong-kid": h["kid"] = "unknown-kid"; break;
                case "rs256": h["alg"] = "RS256"; break;
                case "short-crit": h["crit"] = new JsonArray("http://openbanking.org.uk/iat"); break;
                case "future-iat": h["http://openbanking.org.uk/iat"] = Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds(); break;
            }
        });

        using var response = await Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", body, cc, "k", jws: jws);

        var error = await ReadValidAsync(response, PisVersion.V3, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest);
        ErrorCode(error).ShouldBe(code);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe(path);
    }

    [Theory]
    [InlineData("not-a-jws")]
    [InlineData("a.b.c")]
    public async Task Post_NotDetachedJws_Malformed(string jws)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "k", jws: jws);

        ErrorCode(await ReadValidAsync(response, PisVersion.V4, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe("U018");
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed")]
    [InlineData(PisVersion.V4, "U018")]
    public async Task Post_ProtectedHeaderNotUtf8_MalformedNothingCreated(PisVersion version, string code)
    {
        // 0xC3 0x28 (a lead byte then '(') inside the alg: JsonDocument parses it and throws InvalidOperationException
        // only when the string is read, which answered 500 before the header was checked for UTF-8.
        var cc = await Tpp.ClientCredentialsTokenAsync();
        byte[] header = [.. """{"alg":"PS"""u8, 0xC3, 0x28, .. """256","kid":"k"}"""u8];
        var jws = Base64UrlEncoder.Encode(header) + ".." + Base64UrlEncoder.Encode(new byte[256]);

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "k", jws: jws);

        var error = await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest);
        ErrorCode(error).ShouldBe(code);
        error["Errors"]![0]!["Message"]!.GetValue<string>().ShouldBe("JOSE header is not UTF-8");
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Missing")]
    [InlineData(PisVersion.V4, "U019")]
    public async Task Post_NoSignature_SignatureMissing(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "k", sign: false);

        ErrorCode(await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe(code);
    }

    [Fact]
    public async Task Responses_201And400_CarryBankSignatureThatVerifiesWithJwks()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var created = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "k1");
        using var rejected = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", "{}", cc, "k2");
        var jwks = new JsonWebKeySet(await Tpp.Http.GetStringAsync(new Uri("jwks", UriKind.Relative)));

        foreach (var response in new[] { created, rejected })
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            var jws = response.Headers.GetValues("x-jws-signature").Single();
            var parts = jws.Split('.');
            parts[1].ShouldBeEmpty();
            var header = JsonNode.Parse(Base64UrlEncoder.Decode(parts[0]))!;
            header["alg"]!.GetValue<string>().ShouldBe("PS256");
            header["typ"]!.GetValue<string>().ShouldBe("JOSE");
            header["cty"]!.GetValue<string>().ShouldBe("application/json");
            header["http://openbanking.org.uk/tan"]!.GetValue<string>().ShouldBe("openbanking.org.uk");
            header["crit"]!.AsArray().Count.ShouldBe(3);
            header["b64"].ShouldBeNull();

            // Re-attach the body and verify with an independent JWS implementation and the published key.
            var attached = parts[0] + "." + Base64UrlEncoder.Encode(body) + "." + parts[2];
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(attached, new TokenValidationParameters
            {
                IssuerSigningKeys = jwks.Keys,
                ValidateIssuer = false,
                ValidateAudience = false,
                ValidateLifetime = false,
                RequireExpirationTime = false,
            });
            result.IsValid.ShouldBeTrue(result.Exception?.Message);
        }
    }
}

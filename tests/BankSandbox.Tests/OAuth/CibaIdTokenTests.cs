using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Tests.Support;
using Settlement.BankSandbox.Tests.Vrp;

namespace Settlement.BankSandbox.Tests.OAuth;

/// <summary>
/// The ID token of an approved decoupled (CIBA poll mode) authorisation, checked with an independent JWT
/// implementation against the sandbox's published JWKS: PS256, iss, aud, openbanking_intent_id, no nonce,
/// <c>urn:openid:params:jwt:claim:auth_req_id</c> = the polled request, <c>at_hash</c> of the access token and,
/// for a VRP consent that gets a refresh token, <c>urn:openid:params:jwt:claim:rt_hash</c> of it (CIBA Core 1.0,
/// 10.3.1 and 14.1). The code flow's ID token carries <c>at_hash</c> too.
/// </summary>
public sealed class CibaIdTokenTests : VrpTestBase
{
    private const string AuthReqIdClaim = "urn:openid:params:jwt:claim:auth_req_id";
    private const string RtHashClaim = "urn:openid:params:jwt:claim:rt_hash";

    [Fact]
    public async Task Ciba_PaymentConsentApproved_IdTokenSignedByTheBankNamesRequestConsentAndAccessToken()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("8.00"));
        var authReqId = await BackchannelAsync(consentId);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var answer = await PollAsync(authReqId);

        var accessToken = answer["access_token"]!.GetValue<string>();
        answer.ContainsKey("refresh_token").ShouldBeFalse();
        var claims = await ValidatedClaimsAsync(answer["id_token"]!.GetValue<string>());
        claims[AuthReqIdClaim].ShouldBe(authReqId);
        claims["openbanking_intent_id"].ShouldBe(consentId);
        claims["at_hash"].ShouldBe(LeftHalfSha256(accessToken));
        claims.ShouldNotContainKey("nonce");
        claims.ShouldNotContainKey(RtHashClaim);
        ((long)claims["iat"]).ShouldBe(Clock.GetUtcNow().ToUnixTimeSeconds());
        ((long)claims["exp"]).ShouldBeGreaterThan(Clock.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Ciba_VrpConsentApproved_RtHashNamesTheRefreshTokenReturned()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateVrpConsentAsync(cc, ConsentBody());
        var authReqId = await BackchannelAsync(consentId);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var answer = await PollAsync(authReqId);

        var claims = await ValidatedClaimsAsync(answer["id_token"]!.GetValue<string>());
        claims[AuthReqIdClaim].ShouldBe(authReqId);
        claims["openbanking_intent_id"].ShouldBe(consentId);
        claims["at_hash"].ShouldBe(LeftHalfSha256(answer["access_token"]!.GetValue<string>()));
        claims[RtHashClaim].ShouldBe(LeftHalfSha256(answer["refresh_token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CodeExchange_IdTokenCarriesAtHashNotTheCibaClaims()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        var verifier = TppClient.NewVerifier();
        var redirect = await Tpp.AuthorizeAsync(consentId, verifier);
        using var exchange = await Tpp.ExchangeCodeAsync(redirect["code"], verifier);
        var answer = JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!.AsObject();
        exchange.StatusCode.ShouldBe(HttpStatusCode.OK);

        var claims = await ValidatedClaimsAsync(answer["id_token"]!.GetValue<string>());

        claims["at_hash"].ShouldBe(LeftHalfSha256(answer["access_token"]!.GetValue<string>()));
        claims["nonce"].ShouldBe("n-1");
        claims.ShouldNotContainKey(AuthReqIdClaim);
        claims.ShouldNotContainKey(RtHashClaim);
    }

    private async Task<IDictionary<string, object>> ValidatedClaimsAsync(string idToken)
    {
        new JsonWebToken(idToken).Alg.ShouldBe("PS256");
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = Bank.Issuer,
            ValidAudience = Tpp.ClientId,
            IssuerSigningKeys = Bank.SigningKeys.Keys,
            ValidAlgorithms = ["PS256"],
            ValidateLifetime = false,
        });
        validation.IsValid.ShouldBeTrue(validation.Exception?.Message);
        return validation.Claims;
    }

    private async Task<string> BackchannelAsync(string consentId)
    {
        using var response = await Tpp.TokenEndpointFormAsync("as/bc-authorize", new Dictionary<string, string> { ["request"] = CibaRequest(consentId) });
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToJsonString());
        return json["auth_req_id"]!.GetValue<string>();
    }

    private async Task<JsonObject> PollAsync(string authReqId)
    {
        using var response = await Tpp.TokenEndpointFormAsync("as/token", new Dictionary<string, string>
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = authReqId,
        });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>OIDC Core 3.1.3.6, computed here independently of the sandbox: base64url of the left half of SHA-256.</summary>
    private static string LeftHalfSha256(string value) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value))[..16]);
}

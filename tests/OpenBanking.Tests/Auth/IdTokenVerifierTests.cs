using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Auth;

/// <summary>
/// <see cref="IdTokenVerifier"/> against ID tokens built by an independent JWT implementation
/// (Microsoft.IdentityModel): each OIDC Core 3.1.3.7 / 3.3.2.11 check refuses with its exact reason,
/// and an ID token that passes them all is accepted; the same for the CIBA poll-mode binding
/// (auth_req_id claim, at_hash, rt_hash, no nonce).
/// </summary>
public sealed class IdTokenVerifierTests : IDisposable
{
    private const string Issuer = "https://bank.test";
    private const string ClientId = "tpp-client";
    private const string Code = "code-123";
    private const string Access = "access-token-abc";
    private const string AuthReqId = "auth-req-1c2d";
    private const string Refresh = "refresh-token-xyz";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly AuthorizationRequest Request = new(new Uri("https://bank.test/as/authorize?x=1"), "consent-7", "state-1", "nonce-sent", "verifier");

    private readonly SigningKey _bankKey = SigningKey.Generate("bank-key-1");

    public void Dispose() => _bankKey.Dispose();

    [Fact]
    public async Task Verify_AllClaimsAsSent_Accepted()
    {
        (await VerifyAsync(Token())).ShouldBeNull();
    }

    [Fact]
    public async Task Verify_HashesOfCodeAccessTokenAndStateMatch_Accepted()
    {
        var token = Token(c =>
        {
            c["c_hash"] = LeftHalfSha256(Code);
            c["at_hash"] = LeftHalfSha256(Access);
            c["s_hash"] = LeftHalfSha256(Request.State);
        });

        (await VerifyAsync(token)).ShouldBeNull();
    }

    [Fact]
    public async Task Verify_AudienceListWithAzpOfThisClient_Accepted()
    {
        (await VerifyAsync(Token(c => { c["aud"] = new JsonArray(ClientId, "other"); c["azp"] = ClientId; }))).ShouldBeNull();
    }

    public static TheoryData<string, string> ClaimRefusals => new()
    {
        { "no-nonce", "id_token nonce missing" },
        { "other-nonce", "id_token nonce does not match the authorisation request" },
        { "nonce-number", "id_token nonce missing" },
        { "other-iss", "id_token iss is not the bank's issuer" },
        { "no-iss", "id_token iss is not the bank's issuer" },
        { "other-aud", "id_token aud does not include this client" },
        { "no-aud", "id_token aud does not include this client" },
        { "aud-list-no-azp", "id_token azp is not this client" },
        { "other-azp", "id_token azp is not this client" },
        { "no-exp", "id_token exp missing" },
        { "expired", "id_token expired" },
        { "iat-future", "id_token iat missing or in the future" },
        { "no-iat", "id_token iat missing or in the future" },
        { "no-intent", "id_token openbanking_intent_id missing" },
        { "other-intent", "id_token openbanking_intent_id names another consent" },
        { "other-c_hash", "id_token c_hash does not match" },
        { "other-at_hash", "id_token at_hash does not match" },
        { "other-s_hash", "id_token s_hash does not match" },
    };

    [Theory]
    [MemberData(nameof(ClaimRefusals))]
    public async Task Verify_ClaimWrong_RefusedWithExactReason(string edit, string reason)
    {
        var token = Token(c =>
        {
            switch (edit)
            {
                case "no-nonce": c.Remove("nonce"); break;
                case "other-nonce": c["nonce"] = "nonce-of-another-request"; break;
                case "nonce-number": c["nonce"] = 42; break;
                case "other-iss": c["iss"] = "https://evil.test"; break;
                case "no-iss": c.Remove("iss"); break;
                case "other-aud": c["aud"] = "other-client"; break;
                case "no-aud": c.Remove("aud"); break;
                case "aud-list-no-azp": c["aud"] = new JsonArray(ClientId, "other"); break;
                case "other-azp": c["azp"] = "other"; break;
                case "no-exp": c.Remove("exp"); break;
                case "expired": c["exp"] = Now.AddMinutes(-6).ToUnixTimeSeconds(); break;
                case "iat-future": c["iat"] = Now.AddMinutes(6).ToUnixTimeSeconds(); break;
                case "no-iat": c.Remove("iat"); break;
                case "no-intent": c.Remove("openbanking_intent_id"); break;
                case "other-intent": c["openbanking_intent_id"] = "consent-8"; break;
                case "other-c_hash": c["c_hash"] = LeftHalfSha256("code-456"); break;
                case "other-at_hash": c["at_hash"] = LeftHalfSha256("another-token"); break;
                case "other-s_hash": c["s_hash"] = LeftHalfSha256("state-2"); break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }
        });

        (await VerifyAsync(token)).ShouldBe(reason);
    }

    [Fact]
    public async Task Verify_ExpiredWithinClockSkew_Accepted()
    {
        (await VerifyAsync(Token(c => c["exp"] = Now.AddMinutes(-4).ToUnixTimeSeconds()))).ShouldBeNull();
    }

    [Fact]
    public async Task Verify_SignedByAnotherKeyUnderTheBanksKid_SignatureRefused()
    {
        using var other = SigningKey.Generate(_bankKey.KeyId);
        (await VerifyAsync(Token(signWith: other))).ShouldBe("id_token signature does not verify with the bank's key");
    }

    [Fact]
    public async Task Verify_KidTheBankDoesNotPublish_Refused()
    {
        using var other = SigningKey.Generate("kid-unknown");
        (await VerifyAsync(Token(signWith: other))).ShouldBe("id_token signed with unknown kid 'kid-unknown'");
    }

    [Fact]
    public async Task Verify_ClaimsChangedAfterSigning_SignatureRefused()
    {
        var parts = Token().Split('.');
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        claims["nonce"] = "nonce-of-another-request";
        var forged = parts[0] + "." + Base64UrlEncoder.Encode(claims.ToJsonString()) + "." + parts[2];

        (await VerifyAsync(forged)).ShouldBe("id_token signature does not verify with the bank's key");
    }

    [Fact]
    public async Task Verify_UnsignedAlgNone_Refused()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","kid":"bank-key-1"}""");
        var payload = Token().Split('.')[1];
        (await VerifyAsync(header + "." + payload + ".")).ShouldBe("id_token alg must be PS256");
    }

    [Fact]
    public async Task Verify_HmacWithThePublicKeyAsSecret_Refused()
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var hs256 = handler.CreateToken(Claims().ToJsonString(), new SigningCredentials(
            new SymmetricSecurityKey(_bankKey.Rsa.ExportSubjectPublicKeyInfo()) { KeyId = _bankKey.KeyId }, SecurityAlgorithms.HmacSha256));
        (await VerifyAsync(hs256)).ShouldBe("id_token alg must be PS256");
    }

    [Theory]
    [InlineData(null, "id_token missing from the token response")]
    [InlineData("", "id_token missing from the token response")]
    [InlineData("a.b", "id_token is not a compact JWS")]
    [InlineData("a.b.c.d", "id_token is not a compact JWS")]
    [InlineData("!!.e30.c2ln", "id_token is not a compact JWS")]
    [InlineData("bm90IGpzb24.e30.c2ln", "id_token header is not JSON")]
    [InlineData("e30.e30.c2ln", "id_token alg must be PS256")]
    [InlineData("eyJhbGciOiJQUzI1NiJ9.e30.c2ln", "id_token kid missing")]
    public async Task Verify_NotAnIdToken_RefusedNeverThrows(string? token, string reason)
    {
        (await VerifyAsync(token)).ShouldBe(reason);
    }

    [Fact]
    public async Task Verify_InvalidUtf8InClaims_RefusedNeverThrows()
    {
        var header = Token().Split('.')[0];
        var payload = Base64UrlEncoder.Encode([.. "{\"nonce\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()]);
        (await VerifyAsync(header + "." + payload + ".c2ln")).ShouldBe("id_token is not UTF-8");
    }

    [Fact]
    public async Task Verify_NoNonceKeptWithTheRequest_Refused()
    {
        var expected = Expected() with { Binding = new IdTokenVerifier.CodeBinding(Request with { Nonce = "" }, Code) };
        (await IdTokenVerifier.VerifyAsync(Token(), expected, Resolve, CancellationToken.None)).ShouldBe("no nonce was kept with the authorisation request");
    }

    [Fact]
    public void HalfHash_MatchesIndependentLeftHalfSha256()
    {
        IdTokenVerifier.HalfHash(Code).ShouldBe(LeftHalfSha256(Code));
    }

    [Fact]
    public async Task Verify_CodeFlowTokenCarryingACibaAuthReqIdClaim_StillNeedsItsNonce()
    {
        // The CIBA binding is not a way around the code flow's: an auth_req_id claim does not replace the nonce.
        (await VerifyAsync(Token(c => { c.Remove("nonce"); c[IdTokenVerifier.AuthReqIdClaim] = AuthReqId; }))).ShouldBe("id_token nonce missing");
    }

    // ---- CIBA poll mode (BackchannelBinding) ----

    [Fact]
    public async Task VerifyCiba_AuthReqIdAtHashAndRtHashAsIssued_Accepted()
    {
        var token = CibaToken(c => c[IdTokenVerifier.RtHashClaim] = LeftHalfSha256(Refresh));
        (await VerifyCibaAsync(token, Refresh)).ShouldBeNull();
    }

    [Fact]
    public async Task VerifyCiba_NoNonceNoAuthReqIdClaimNoHashes_Accepted()
    {
        // Poll mode: CIBA Core 10.1.1 asks for none of the binding claims (10.3.1 requires them for push only),
        // and no nonce was sent in the backchannel request.
        var token = CibaToken(c =>
        {
            c.Remove(IdTokenVerifier.AuthReqIdClaim);
            c.Remove("at_hash");
        });

        (await VerifyCibaAsync(token)).ShouldBeNull();
    }

    [Fact]
    public async Task VerifyCiba_CodeFlowNonceAndHashesOfValuesCibaDoesNotHave_NotLookedAt()
    {
        (await VerifyCibaAsync(CibaToken(c => { c["nonce"] = "some-nonce"; c["c_hash"] = "x"; c["s_hash"] = "y"; }))).ShouldBeNull();
    }

    public static TheoryData<string, string> CibaRefusals => new()
    {
        { "other-auth_req_id", "id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation" },
        { "auth_req_id-number", "id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation" },
        { "auth_req_id-empty", "id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation" },
        { "no-intent", "id_token openbanking_intent_id missing" },
        { "other-intent", "id_token openbanking_intent_id names another consent" },
        { "other-at_hash", "id_token at_hash does not match" },
        { "at_hash-number", "id_token at_hash does not match" },
        { "other-rt_hash", "id_token urn:openid:params:jwt:claim:rt_hash does not match" },
        { "rt_hash-no-refresh", "id_token urn:openid:params:jwt:claim:rt_hash present but no refresh token was returned" },
        { "other-iss", "id_token iss is not the bank's issuer" },
        { "other-aud", "id_token aud does not include this client" },
        { "expired", "id_token expired" },
        { "iat-future", "id_token iat missing or in the future" },
    };

    [Theory]
    [MemberData(nameof(CibaRefusals))]
    public async Task VerifyCiba_ClaimWrong_RefusedWithExactReason(string edit, string reason)
    {
        var refresh = edit == "rt_hash-no-refresh" ? null : Refresh;
        var token = CibaToken(c =>
        {
            switch (edit)
            {
                case "other-auth_req_id": c[IdTokenVerifier.AuthReqIdClaim] = "auth-req-of-another-request"; break;
                case "auth_req_id-number": c[IdTokenVerifier.AuthReqIdClaim] = 42; break;
                case "auth_req_id-empty": c[IdTokenVerifier.AuthReqIdClaim] = ""; break;
                case "no-intent": c.Remove("openbanking_intent_id"); break;
                case "other-intent": c["openbanking_intent_id"] = "consent-8"; break;
                case "other-at_hash": c["at_hash"] = LeftHalfSha256("another-token"); break;
                case "at_hash-number": c["at_hash"] = 7; break;
                case "other-rt_hash": c[IdTokenVerifier.RtHashClaim] = LeftHalfSha256("another-refresh-token"); break;
                case "rt_hash-no-refresh": c[IdTokenVerifier.RtHashClaim] = LeftHalfSha256(Refresh); break;
                case "other-iss": c["iss"] = "https://evil.test"; break;
                case "other-aud": c["aud"] = "other-client"; break;
                case "expired": c["exp"] = Now.AddMinutes(-6).ToUnixTimeSeconds(); break;
                case "iat-future": c["iat"] = Now.AddMinutes(6).ToUnixTimeSeconds(); break;
                default: throw new ArgumentOutOfRangeException(nameof(edit));
            }
        });

        (await VerifyCibaAsync(token, refresh)).ShouldBe(reason);
    }

    [Theory]
    [InlineData(null, "id_token missing from the token response")]
    [InlineData("", "id_token missing from the token response")]
    [InlineData("a.b", "id_token is not a compact JWS")]
    [InlineData("e30.e30.c2ln", "id_token alg must be PS256")]
    public async Task VerifyCiba_NotAnIdToken_RefusedNeverThrows(string? token, string reason)
    {
        (await VerifyCibaAsync(token)).ShouldBe(reason);
    }

    [Fact]
    public async Task VerifyCiba_SignedByAnotherKeyUnderTheBanksKid_SignatureRefused()
    {
        using var other = SigningKey.Generate(_bankKey.KeyId);
        (await VerifyCibaAsync(CibaToken(signWith: other))).ShouldBe("id_token signature does not verify with the bank's key");
    }

    [Fact]
    public async Task VerifyCiba_NoAuthReqIdKept_Refused()
    {
        var expected = ExpectedCiba(null) with { Binding = new IdTokenVerifier.BackchannelBinding("", null) };
        (await IdTokenVerifier.VerifyAsync(CibaToken(), expected, Resolve, CancellationToken.None)).ShouldBe("no auth_req_id was kept with the decoupled authorisation");
    }

    [Fact]
    public void Expectations_ToString_ShowsNoTokenOrRequestId()
    {
        var text = ExpectedCiba(Refresh).ToString() + ExpectedCiba(Refresh).Binding + Expected() + Expected().Binding;
        text.ShouldNotContain(Access);
        text.ShouldNotContain(Refresh);
        text.ShouldNotContain(AuthReqId);
        text.ShouldNotContain(Code);
        text.ShouldNotContain(Request.Nonce);
        text.ShouldNotContain(Request.CodeVerifier);
    }

    private static IdTokenVerifier.Expectations Expected() => IdTokenVerifier.Expectations.ForCode(Issuer + "/", ClientId, Request, Code, Access, Now);

    private static IdTokenVerifier.Expectations ExpectedCiba(string? refresh) =>
        IdTokenVerifier.Expectations.ForBackchannel(Issuer + "/", ClientId, "consent-7", AuthReqId, Access, refresh, Now);

    private ValueTask<string?> VerifyCibaAsync(string? token, string? refresh = null) => IdTokenVerifier.VerifyAsync(token, ExpectedCiba(refresh), Resolve, CancellationToken.None);

    /// <summary>What a CIBA poll's ID token carries: the common claims without a nonce, the auth_req_id claim and at_hash.</summary>
    private string CibaToken(Action<JsonObject>? edit = null, SigningKey? signWith = null) => Token(c =>
    {
        c.Remove("nonce");
        c[IdTokenVerifier.AuthReqIdClaim] = AuthReqId;
        c["at_hash"] = LeftHalfSha256(Access);
        edit?.Invoke(c);
    }, signWith);

    private ValueTask<string?> VerifyAsync(string? token) => IdTokenVerifier.VerifyAsync(token, Expected(), Resolve, CancellationToken.None);

    private ValueTask<RSA?> Resolve(string kid, CancellationToken ct) => ValueTask.FromResult(kid == _bankKey.KeyId ? _bankKey.Rsa : null);

    private static JsonObject Claims() => new()
    {
        ["iss"] = Issuer,
        ["aud"] = ClientId,
        ["sub"] = "consent-7",
        ["iat"] = Now.AddSeconds(-10).ToUnixTimeSeconds(),
        ["exp"] = Now.AddHours(1).ToUnixTimeSeconds(),
        ["nonce"] = "nonce-sent",
        ["openbanking_intent_id"] = "consent-7",
        ["acr"] = "urn:openbanking:psd2:sca",
    };

    private string Token(Action<JsonObject>? edit = null, SigningKey? signWith = null)
    {
        var claims = Claims();
        edit?.Invoke(claims);
        var key = signWith ?? _bankKey;
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(key.Rsa.ExportRSAPrivateKey(), out _);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(claims.ToJsonString(),
            new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSsaPssSha256));
    }

    private static string LeftHalfSha256(string value) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value))[..16]);
}

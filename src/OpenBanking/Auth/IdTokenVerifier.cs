using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// Verifies the OIDC ID token a token endpoint returns with a consent-bound access token (OIDC Core
/// 3.1.3.7, FAPI 1 Advanced 5.2.2.1, OBIE security profile), for both ways a consent is authorised.
/// Every ID token: a compact JWS signed PS256 with a key from the bank's JWKS (by <c>kid</c>);
/// <c>iss</c> = the bank's discovery issuer; <c>aud</c> contains our client id (and <c>azp</c>, when
/// present or when there are several audiences, is our client id); <c>exp</c> not passed and
/// <c>iat</c> not in the future (5 minutes' clock skew); <c>openbanking_intent_id</c> equal to the
/// consent id; <c>at_hash</c>, when present, equal to the left half of the SHA-256 of the access token.
/// Then the binding of the flow (<see cref="Binding"/>):
/// <list type="bullet">
/// <item><see cref="CodeBinding"/> (authorisation code, OIDC 3.3.2.11): <c>nonce</c> equal to the one sent in the
/// authorisation request (required); <c>c_hash</c> and <c>s_hash</c>, when present, match the code and state.</item>
/// <item><see cref="BackchannelBinding"/> (CIBA poll mode): no nonce exists (CIBA's authentication request has
/// no such parameter and ours sends none); <c>urn:openid:params:jwt:claim:auth_req_id</c>, when present,
/// equal to the <c>auth_req_id</c> that was polled, and <c>urn:openid:params:jwt:claim:rt_hash</c>, when
/// present, the half hash of the refresh token returned with it. CIBA Core 1.0 makes these two claims and
/// <c>at_hash</c> mandatory only for push mode (10.3.1), where tokens arrive at the client's endpoint; in poll
/// mode (10.1.1) the token response answers our own client-authenticated TLS request, and FAPI-CIBA excludes push.</item>
/// </list>
/// Returns the reason it failed, or null. Never throws on malformed input.
/// </summary>
internal static class IdTokenVerifier
{
    /// <summary>Tolerated clock difference for <c>exp</c> and <c>iat</c>.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The CIBA claim naming the authentication request the ID token answers (CIBA Core 1.0, 10.3.1 and 14.1).</summary>
    public const string AuthReqIdClaim = "urn:openid:params:jwt:claim:auth_req_id";

    /// <summary>The CIBA claim holding the half hash of the refresh token issued with the ID token (CIBA Core 1.0, 10.3.1 and 14.1).</summary>
    public const string RtHashClaim = "urn:openid:params:jwt:claim:rt_hash";

    /// <summary>What the ID token is checked against.</summary>
    /// <param name="Issuer">The bank's discovery <c>issuer</c>.</param>
    /// <param name="ClientId">Our client id (the audience).</param>
    /// <param name="ConsentId">The consent that was authorised (<c>openbanking_intent_id</c>).</param>
    /// <param name="AccessToken">The access token issued with the ID token.</param>
    /// <param name="Binding">How the flow ties the ID token to our request.</param>
    /// <param name="Now">Current time, from the injected clock.</param>
    public sealed record Expectations(string Issuer, string ClientId, string ConsentId, string AccessToken, Binding Binding, DateTimeOffset Now)
    {
        /// <summary>The authorisation-code exchange answering <paramref name="request"/>.</summary>
        public static Expectations ForCode(string issuer, string clientId, AuthorizationRequest request, string code, string accessToken, DateTimeOffset now) =>
            new(issuer, clientId, request.ConsentId, accessToken, new CodeBinding(request, code), now);

        /// <summary>The CIBA token response to a poll of <paramref name="authReqId"/> for <paramref name="consentId"/>.</summary>
        public static Expectations ForBackchannel(string issuer, string clientId, string consentId, string authReqId, string accessToken, string? refreshToken, DateTimeOffset now) =>
            new(issuer, clientId, consentId, accessToken, new BackchannelBinding(authReqId, refreshToken), now);

        /// <summary>Never shows the tokens.</summary>
        public override string ToString() => $"Expectations({Issuer}, {ClientId}, consent {ConsentId}, {Binding.GetType().Name})";
    }

    /// <summary>How a flow ties the ID token to the request we made; a closed set.</summary>
    public abstract record Binding
    {
        private protected Binding()
        {
        }
    }

    /// <summary>Authorisation code: the request's <c>nonce</c> (required), <c>c_hash</c> and <c>s_hash</c> when present.</summary>
    /// <param name="Request">The authorisation request the code answers (nonce, state).</param>
    /// <param name="Code">The authorisation code that was exchanged.</param>
    public sealed record CodeBinding(AuthorizationRequest Request, string Code) : Binding
    {
        /// <summary>Never shows the code, the nonce or the PKCE verifier.</summary>
        public override string ToString() => "CodeBinding";
    }

    /// <summary>CIBA poll mode: the <c>auth_req_id</c> claim and <c>rt_hash</c>, each when present.</summary>
    /// <param name="AuthReqId">The <c>auth_req_id</c> whose poll returned the ID token.</param>
    /// <param name="RefreshToken">The refresh token returned with it, if any.</param>
    public sealed record BackchannelBinding(string AuthReqId, string? RefreshToken) : Binding
    {
        /// <summary>Never shows the request id or the refresh token.</summary>
        public override string ToString() => "BackchannelBinding";
    }

    public static async ValueTask<string?> VerifyAsync(string? idToken, Expectations expected, Func<string, CancellationToken, ValueTask<RSA?>> resolveKey, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return "id_token missing from the token response";
        }

        var parts = idToken.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[1], out var payload)
            || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return "id_token is not a compact JWS";
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which must not escape here.
        if (!Utf8.IsValid(headerBytes) || !Utf8.IsValid(payload))
        {
            return "id_token is not UTF-8";
        }

        string kid;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var h = header.RootElement;
            if (h.ValueKind != JsonValueKind.Object || !Str(h, "alg", out var alg) || alg != "PS256")
            {
                return "id_token alg must be PS256";
            }

            if (!Str(h, "kid", out kid) || kid.Length == 0)
            {
                return "id_token kid missing";
            }
        }
        catch (JsonException)
        {
            return "id_token header is not JSON";
        }

        var key = await resolveKey(kid, ct).ConfigureAwait(false);
        if (key is null)
        {
            return $"id_token signed with unknown kid '{kid}'";
        }

        bool valid;
        try
        {
            valid = key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        if (!valid)
        {
            return "id_token signature does not verify with the bank's key";
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? CheckClaims(doc.RootElement, expected) : "id_token claims are not an object";
        }
        catch (JsonException)
        {
            return "id_token claims are not JSON";
        }
    }

    private static string? CheckClaims(JsonElement c, Expectations expected)
    {
        if (!Str(c, "iss", out var iss) || !string.Equals(iss.TrimEnd('/'), expected.Issuer.TrimEnd('/'), StringComparison.Ordinal))
        {
            return "id_token iss is not the bank's issuer";
        }

        var audiences = !c.TryGetProperty("aud", out var aud) ? []
            : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
            : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList()
            : new List<string>();
        if (!audiences.Contains(expected.ClientId, StringComparer.Ordinal))
        {
            return "id_token aud does not include this client";
        }

        // OIDC 3.1.3.7 (4, 5): with several audiences azp must be present, and when present it must be this client.
        var hasAzp = Str(c, "azp", out var azp);
        if ((audiences.Count > 1 && !hasAzp) || (hasAzp && azp != expected.ClientId))
        {
            return "id_token azp is not this client";
        }

        if (!Seconds(c, "exp", out var exp))
        {
            return "id_token exp missing";
        }

        if (exp < (expected.Now - ClockSkew).ToUnixTimeSeconds())
        {
            return "id_token expired";
        }

        if (!Seconds(c, "iat", out var iat) || iat > (expected.Now + ClockSkew).ToUnixTimeSeconds())
        {
            return "id_token iat missing or in the future";
        }

        if (expected.Binding is CodeBinding { Request: var request } && NonceProblem(c, request) is { } nonceProblem)
        {
            return nonceProblem;
        }

        if (expected.Binding is BackchannelBinding backchannel && AuthReqIdProblem(c, backchannel) is { } authReqIdProblem)
        {
            return authReqIdProblem;
        }

        // OBIE: the essential openbanking_intent_id claim names the consent that was authorised.
        if (!Str(c, "openbanking_intent_id", out var intent))
        {
            return "id_token openbanking_intent_id missing";
        }

        if (intent != expected.ConsentId)
        {
            return "id_token openbanking_intent_id names another consent";
        }

        return expected.Binding switch
        {
            CodeBinding code => HashMismatch(c, "c_hash", code.Code)
                ?? HashMismatch(c, "at_hash", expected.AccessToken)
                ?? HashMismatch(c, "s_hash", code.Request.State),
            BackchannelBinding ciba => HashMismatch(c, "at_hash", expected.AccessToken)
                ?? RefreshHashProblem(c, ciba.RefreshToken),
            _ => "no binding to check the id_token against",
        };
    }

    /// <summary>OIDC 3.1.3.7 (11) / 3.3.2.11: the nonce sent in the authorisation request must come back unchanged.</summary>
    private static string? NonceProblem(JsonElement c, AuthorizationRequest request)
    {
        if (string.IsNullOrEmpty(request.Nonce))
        {
            return "no nonce was kept with the authorisation request";
        }

        if (!Str(c, "nonce", out var nonce))
        {
            return "id_token nonce missing";
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(request.Nonce))
            ? null
            : "id_token nonce does not match the authorisation request";
    }

    /// <summary>CIBA 10.3.1 / 14.1: when the bank names the authentication request, it must be the one that was polled.</summary>
    private static string? AuthReqIdProblem(JsonElement c, BackchannelBinding binding)
    {
        if (string.IsNullOrEmpty(binding.AuthReqId))
        {
            return "no auth_req_id was kept with the decoupled authorisation";
        }

        if (!c.TryGetProperty(AuthReqIdClaim, out var claim))
        {
            return null;
        }

        return claim.ValueKind == JsonValueKind.String
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(claim.GetString()!), Encoding.UTF8.GetBytes(binding.AuthReqId))
            ? null
            : $"id_token {AuthReqIdClaim} names another decoupled authorisation";
    }

    /// <summary>CIBA 10.3.1: <c>rt_hash</c>, when present, is the half hash of the refresh token returned with the ID token.</summary>
    private static string? RefreshHashProblem(JsonElement c, string? refreshToken)
    {
        if (!c.TryGetProperty(RtHashClaim, out _))
        {
            return null;
        }

        return refreshToken is null ? $"id_token {RtHashClaim} present but no refresh token was returned" : HashMismatch(c, RtHashClaim, refreshToken);
    }

    /// <summary>OIDC 3.3.2.11 / FAPI 5.2.2.1: base64url of the left half of the SHA-256 (the hash of PS256) of the value.</summary>
    internal static string HalfHash(string value) => Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value)).AsSpan(0, 16));

    private static string? HashMismatch(JsonElement c, string claim, string value)
    {
        if (!c.TryGetProperty(claim, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), HalfHash(value), StringComparison.Ordinal)
            ? null
            : $"id_token {claim} does not match";
    }

    private static bool Seconds(JsonElement e, string name, out long value)
    {
        value = 0;
        return e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out value);
    }

    private static bool Str(JsonElement e, string name, out string value)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
        {
            value = v.GetString()!;
            return true;
        }

        value = "";
        return false;
    }
}

using System.Text;
using System.Text.Json.Nodes;

// Independent oracle: the sandbox deliberately carries its own compact and detached JWS (PS256, OBIE header claims) code instead of using
// Settlement.OpenBanking's. It stands for a bank written by someone else from the OBIE spec, so a
// mistake in the connector's copy cannot hide by being made twice. Do not merge the two copies;
// docs/bank-sandbox.md ("An independent oracle").
namespace Settlement.BankSandbox.Security;

/// <summary>Compact JWS (RFC 7515) with PS256: attached (JWTs) and detached (OBIE x-jws-signature).</summary>
internal static class CompactJws
{
    public const string OpenBankingIat = "http://openbanking.org.uk/iat";
    public const string OpenBankingIss = "http://openbanking.org.uk/iss";
    public const string OpenBankingTan = "http://openbanking.org.uk/tan";
    public const string TrustAnchor = "openbanking.org.uk";

    /// <summary>
    /// A signed JWT: header {alg PS256, typ JWT, kid} over the given claims. With <paramref name="obIssuer"/>
    /// the header also carries the OBIE <c>http://openbanking.org.uk/iat</c>, <c>/iss</c> and <c>/tan</c>
    /// claims (event notifications: the TPP checks the bank's issuer in the signature header).
    /// </summary>
    public static string SignJwt(JsonObject claims, BankSigningKey key, string? obIssuer = null, long iat = 0)
    {
        var header = new JsonObject { ["alg"] = "PS256", ["typ"] = "JWT", ["kid"] = key.Kid };
        if (obIssuer is not null)
        {
            header[OpenBankingIat] = iat;
            header[OpenBankingIss] = obIssuer;
            header[OpenBankingTan] = TrustAnchor;
        }

        var h = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var p = Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString(Hosting.SandboxJson.Options)));
        var input = Encoding.ASCII.GetBytes(h + "." + p);
        return h + "." + p + "." + Base64Url.Encode(RsaKeys.SignPs256(key.Rsa, input));
    }

    /// <summary>The OBIE detached signature of <paramref name="body"/> (header..signature, no b64 claim).</summary>
    public static string SignDetached(ReadOnlySpan<byte> body, BankSigningKey key, string iss, long iat) =>
        SignDetached(body, DetachedHeader(key.Kid, iss, iat), key.Rsa);

    /// <summary>
    /// The OBIE detached JWS of <paramref name="body"/> under any protected <paramref name="header"/> (the
    /// oracle's signer; tests use it to sign deliberately wrong headers as a client would).
    /// </summary>
    public static string SignDetached(ReadOnlySpan<byte> body, JsonObject header, System.Security.Cryptography.RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(header);
        var h = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        return h + ".." + Base64Url.Encode(RsaKeys.SignPs256(rsa, SigningInput(h, body)));
    }

    /// <summary>The OBIE detached-JWS protected header: PS256, kid, typ JOSE, cty, iat/iss/tan, crit.</summary>
    public static JsonObject DetachedHeader(string kid, string iss, long iat) => new()
    {
        ["alg"] = "PS256",
        ["kid"] = kid,
        ["typ"] = "JOSE",
        ["cty"] = "application/json",
        [OpenBankingIat] = iat,
        [OpenBankingIss] = iss,
        [OpenBankingTan] = TrustAnchor,
        ["crit"] = new JsonArray(OpenBankingIat, OpenBankingIss, OpenBankingTan),
    };

    public static byte[] SigningInput(string encodedHeader, ReadOnlySpan<byte> body)
    {
        var payload = Base64Url.Encode(body);
        return Encoding.ASCII.GetBytes(encodedHeader + "." + payload);
    }
}

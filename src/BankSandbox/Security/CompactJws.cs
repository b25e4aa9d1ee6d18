using System.Text;
using System.Text.Json.Nodes;

namespace Settlement.BankSandbox.Security;

/// <summary>Compact JWS (RFC 7515) with PS256: attached (JWTs) and detached (OBIE x-jws-signature).</summary>
internal static class CompactJws
{
    public const string OpenBankingIat = "http://openbanking.org.uk/iat";
    public const string OpenBankingIss = "http://openbanking.org.uk/iss";
    public const string OpenBankingTan = "http://openbanking.org.uk/tan";
    public const string TrustAnchor = "openbanking.org.uk";

    /// <summary>A signed JWT: header {alg PS256, typ JWT, kid} over the given claims.</summary>
    public static string SignJwt(JsonObject claims, BankSigningKey key)
    {
        var header = new JsonObject { ["alg"] = "PS256", ["typ"] = "JWT", ["kid"] = key.Kid };
        var h = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var p = Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString(Hosting.SandboxJson.Options)));
        var input = Encoding.ASCII.GetBytes(h + "." + p);
        return h + "." + p + "." + Base64Url.Encode(RsaKeys.SignPs256(key.Rsa, input));
    }

    /// <summary>The OBIE detached signature of <paramref name="body"/> (header..signature, no b64 claim).</summary>
    public static string SignDetached(ReadOnlySpan<byte> body, BankSigningKey key, string iss, long iat)
    {
        var header = new JsonObject
        {
            ["alg"] = "PS256",
            ["kid"] = key.Kid,
            ["typ"] = "JOSE",
            ["cty"] = "application/json",
            [OpenBankingIat] = iat,
            [OpenBankingIss] = iss,
            [OpenBankingTan] = TrustAnchor,
            ["crit"] = new JsonArray(OpenBankingIat, OpenBankingIss, OpenBankingTan),
        };
        var h = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var input = SigningInput(h, body);
        return h + ".." + Base64Url.Encode(RsaKeys.SignPs256(key.Rsa, input));
    }

    public static byte[] SigningInput(string encodedHeader, ReadOnlySpan<byte> body)
    {
        var payload = Base64Url.Encode(body);
        return Encoding.ASCII.GetBytes(encodedHeader + "." + payload);
    }
}

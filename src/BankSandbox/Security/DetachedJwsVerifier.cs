using System.Text.Json;
using System.Text.Unicode;
using Microsoft.IdentityModel.Tokens;

// Independent oracle: the sandbox deliberately carries its own detached-JWS verification instead of using
// Settlement.OpenBanking's. It stands for a bank written by someone else from the OBIE spec, so a
// mistake in the connector's copy cannot hide by being made twice. Do not merge the two copies;
// docs/bank-sandbox.md ("An independent oracle").
namespace Settlement.BankSandbox.Security;

/// <summary>Verifies an OBIE detached JWS (v3.1.4+ profile: no b64 claim) against the exact body bytes.</summary>
internal static class DetachedJwsVerifier
{
    private static readonly string[] CritClaims = [CompactJws.OpenBankingIat, CompactJws.OpenBankingIss, CompactJws.OpenBankingTan];

    public static JwsCheck Verify(string? jws, ReadOnlySpan<byte> body, SecurityKey? clientKey, string expectedIss, DateTimeOffset now, TimeSpan iatTolerance)
    {
        if (string.IsNullOrWhiteSpace(jws))
        {
            return new(JwsOutcome.Missing);
        }

        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0 || !Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return new(JwsOutcome.Malformed, Message: "not a detached compact JWS (header..signature)");
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which would answer 500, not the
        // signature error.
        if (!Utf8.IsValid(headerBytes))
        {
            return new(JwsOutcome.Malformed, Message: "JOSE header is not UTF-8");
        }

        JsonElement header;
        try
        {
            // A JOSE header with a repeated member name is ambiguous (RFC 7515 §4: reject or take the last; OBIE banks reject).
            using var doc = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            header = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new(JwsOutcome.Malformed, Message: "JOSE header is not JSON");
        }

        if (header.ValueKind != JsonValueKind.Object)
        {
            return new(JwsOutcome.Malformed, Message: "JOSE header is not an object");
        }

        if (header.TryGetProperty("b64", out _))
        {
            return new(JwsOutcome.Malformed, "b64", "the b64 header is not allowed since v3.1.4");
        }

        foreach (var name in (string[])["alg", "kid", "crit", .. CritClaims])
        {
            if (!header.TryGetProperty(name, out _))
            {
                return new(JwsOutcome.MissingClaim, name, $"{name} is missing");
            }
        }

        if (Str(header, "alg") != "PS256")
        {
            return new(JwsOutcome.InvalidClaim, "alg", "alg must be PS256");
        }

        if (header.TryGetProperty("typ", out var typ) && typ.ValueKind == JsonValueKind.String && typ.GetString() != "JOSE")
        {
            return new(JwsOutcome.InvalidClaim, "typ", "typ must be JOSE");
        }

        if (header.TryGetProperty("cty", out var cty) && cty.ValueKind == JsonValueKind.String
            && cty.GetString() is not ("application/json" or "json"))
        {
            return new(JwsOutcome.InvalidClaim, "cty", "cty must be application/json");
        }

        var crit = header.GetProperty("crit");
        if (crit.ValueKind != JsonValueKind.Array
            || crit.GetArrayLength() != CritClaims.Length
            || !CritClaims.All(c => crit.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == c)))
        {
            return new(JwsOutcome.InvalidClaim, "crit", "crit must list the three openbanking.org.uk claims");
        }

        var iat = header.GetProperty(CompactJws.OpenBankingIat);
        var tolerance = (long)iatTolerance.TotalSeconds;
        if (iat.ValueKind != JsonValueKind.Number || !iat.TryGetInt64(out var iatSeconds)
            || iatSeconds > now.ToUnixTimeSeconds() + tolerance || iatSeconds < now.ToUnixTimeSeconds() - tolerance)
        {
            return new(JwsOutcome.InvalidClaim, CompactJws.OpenBankingIat, "iat must be a number of seconds within the allowed clock tolerance of now");
        }

        if (Str(header, CompactJws.OpenBankingIss) != expectedIss)
        {
            return new(JwsOutcome.InvalidClaim, CompactJws.OpenBankingIss, "iss does not match the registered client");
        }

        if (Str(header, CompactJws.OpenBankingTan) != CompactJws.TrustAnchor)
        {
            return new(JwsOutcome.InvalidClaim, CompactJws.OpenBankingTan, "tan must be openbanking.org.uk");
        }

        if (clientKey is null || Str(header, "kid") != clientKey.KeyId)
        {
            return new(JwsOutcome.InvalidClaim, "kid", "kid does not resolve to the client's registered key");
        }

        var rsa = RsaKeys.TryGetPublicRsa(clientKey);
        if (rsa is null)
        {
            return new(JwsOutcome.InvalidClaim, "kid", "the registered key is not an RSA key");
        }

        var input = CompactJws.SigningInput(parts[0], body);
        return RsaKeys.VerifyPs256(rsa, input, signature)
            ? new(JwsOutcome.Valid)
            : new(JwsOutcome.Invalid, Message: "signature does not verify against the body");
    }

    private static string? Str(JsonElement header, string name) =>
        header.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

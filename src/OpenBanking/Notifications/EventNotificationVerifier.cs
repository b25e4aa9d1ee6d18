using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Notifications;

/// <summary>
/// Verifies an OBIE event notification: a Security Event Token (RFC 8417) as a compact JWS signed
/// PS256 by the bank (key from its JWKS by kid), <c>iss</c> = the bank's issuer, <c>aud</c> = our
/// client id, <c>iat</c> not in the future, one resource-update event with resource id and type.
/// Never throws on malformed input.
/// </summary>
internal static class EventNotificationVerifier
{
    public const string ResourceUpdate = "urn:uk:org:openbanking:events:resource-update";

    // bankJwsIssuer: the bank's http://openbanking.org.uk/iss (BankJwsIssuer); when set, the SET's
    // protected header must carry exactly this value (a missing or other issuer is refused with that reason).
    public static async Task<(ResourceUpdateEvent? Event, string? Error)> VerifyAsync(string? jwt, BankMetadata metadata, string clientId, string? bankJwsIssuer,
        DateTimeOffset now, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(jwt))
        {
            return (null, "empty body");
        }

        var parts = jwt.Trim().Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[1], out var payloadBytes)
            || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return (null, "not a compact JWS");
        }

        // Checked up front (header and claims): System.Text.Json parses a string holding invalid UTF-8 without complaint
        // and throws InvalidOperationException only when the string is read (GetString), which must not escape here.
        if (!Utf8.IsValid(headerBytes))
        {
            return (null, "header is not UTF-8");
        }

        string kid;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object || !Str(header.RootElement, "alg", out var alg) || alg != "PS256")
            {
                return (null, "alg must be PS256");
            }

            if (!Str(header.RootElement, "kid", out kid))
            {
                return (null, "kid missing");
            }

            if (bankJwsIssuer is not null)
            {
                if (!Str(header.RootElement, DetachedJws.IssClaim, out var headerIss))
                {
                    return (null, $"signature header {DetachedJws.IssClaim} missing (the bank's is '{bankJwsIssuer}')");
                }

                if (!string.Equals(headerIss, bankJwsIssuer, StringComparison.Ordinal))
                {
                    return (null, $"signature header {DetachedJws.IssClaim} '{headerIss}' is not the bank's '{bankJwsIssuer}'");
                }
            }
        }
        catch (JsonException)
        {
            return (null, "header is not JSON");
        }

        var key = await metadata.ResolveKeyAsync(kid, ct).ConfigureAwait(false);
        if (key is null)
        {
            return (null, $"unknown kid '{kid}'");
        }

        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        bool valid;
        try
        {
            valid = key.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        if (!valid)
        {
            return (null, "signature does not verify");
        }

        var discovery = await metadata.GetDiscoveryAsync(ct).ConfigureAwait(false);
        return TryReadClaims(payloadBytes, discovery.Issuer.AbsoluteUri.TrimEnd('/'), clientId, now, out var ev, out var error) ? (ev, null) : (null, error);
    }

    internal static bool TryReadClaims(byte[] payload, string issuer, string clientId, DateTimeOffset now, [NotNullWhen(true)] out ResourceUpdateEvent? ev, [NotNullWhen(false)] out string? error)
    {
        ev = null;
        if (!Utf8.IsValid(payload))
        {
            error = "claims are not UTF-8";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var c = doc.RootElement;
            if (c.ValueKind != JsonValueKind.Object)
            {
                error = "claims are not an object";
                return false;
            }

            if (!Str(c, "iss", out var iss) || iss.TrimEnd('/') != issuer)
            {
                error = "iss is not the bank's issuer";
                return false;
            }

            var audOk = c.TryGetProperty("aud", out var aud) && (aud.ValueKind == JsonValueKind.String
                ? aud.GetString() == clientId
                : aud.ValueKind == JsonValueKind.Array && aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == clientId));
            if (!audOk)
            {
                error = "aud is not this client";
                return false;
            }

            if (!Str(c, "jti", out var jti) || jti.Length > 200)
            {
                error = "jti missing";
                return false;
            }

            if (!c.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetInt64(out var iat) || iat > now.AddMinutes(5).ToUnixTimeSeconds())
            {
                error = "iat missing or in the future";
                return false;
            }

            if (!c.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object
                || !events.TryGetProperty(ResourceUpdate, out var update) || update.ValueKind != JsonValueKind.Object
                || !update.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.Object)
            {
                error = "no resource-update event";
                return false;
            }

            if (!Str(subject, "http://openbanking.org.uk/rid", out var rid) || !Str(subject, "http://openbanking.org.uk/rty", out var rty))
            {
                error = "resource id or type missing";
                return false;
            }

            ev = new ResourceUpdateEvent(jti, rid, rty, DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, iat)));
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "claims are not JSON";
            return false;
        }
    }

    private static bool Str(JsonElement e, string name, out string value)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
        {
            value = s;
            return true;
        }

        value = "";
        return false;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Settlement.OpenBanking.Signing;

/// <summary>
/// OBIE detached JWS (<c>x-jws-signature</c>): compact serialisation with an empty payload part,
/// PS256, protected header with <c>kid</c>, <c>typ JOSE</c>, <c>cty application/json</c> and the
/// critical claims <c>http://openbanking.org.uk/iat</c>, <c>/iss</c>, <c>/tan</c>; no <c>b64</c>
/// (OBIE read/write API profile 3.1.4 onwards). The signed payload is the exact body bytes.
/// The bank sandbox verifies with its own, independent copy (docs/bank-sandbox.md, "An independent
/// oracle"); the two are not to be merged.
/// </summary>
public static class DetachedJws
{
    /// <summary>The OBIE claim names.</summary>
    public const string IatClaim = "http://openbanking.org.uk/iat";

    /// <summary>The OBIE issuer claim.</summary>
    public const string IssClaim = "http://openbanking.org.uk/iss";

    /// <summary>The OBIE trust anchor claim.</summary>
    public const string TanClaim = "http://openbanking.org.uk/tan";

    /// <summary>The OBIE trust anchor value.</summary>
    public const string TrustAnchor = "openbanking.org.uk";

    private static readonly string[] Crit = [IatClaim, IssClaim, TanClaim];

    /// <summary>Signs <paramref name="payload"/> and returns <c>base64url(header)..base64url(signature)</c>.</summary>
    public static string Sign(ReadOnlySpan<byte> payload, SigningKey key, string issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        return SignWithHeader(BuildHeader(key.KeyId, issuer, now.ToUnixTimeSeconds()), payload, key);
    }

    /// <summary>
    /// The detached JWS of <paramref name="payload"/> under the given protected header bytes (the one
    /// signing routine; tests use it to sign deliberately wrong headers).
    /// </summary>
    internal static string SignWithHeader(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, SigningKey key)
    {
        var encodedHeader = Base64Url.Encode(header);
        var signature = key.Rsa.SignData(SigningInput(encodedHeader, payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return encodedHeader + ".." + Base64Url.Encode(signature);
    }

    /// <summary>
    /// Checks a detached JWS over <paramref name="payload"/>. Never throws on malformed input.
    /// <paramref name="resolveKey"/> maps a kid to the signer's public key (null when unknown).
    /// </summary>
    public static async ValueTask<JwsVerification> VerifyAsync(string? jws, ReadOnlyMemory<byte> payload,
        Func<string, CancellationToken, ValueTask<RSA?>> resolveKey, JwsExpectations expectations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolveKey);
        ArgumentNullException.ThrowIfNull(expectations);
        if (string.IsNullOrEmpty(jws))
        {
            return JwsVerification.Fail("missing");
        }

        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0)
        {
            return JwsVerification.Fail("not a detached compact JWS (header..signature)");
        }

        if (!Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return JwsVerification.Fail("not base64url");
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which must not escape here.
        if (!Utf8.IsValid(headerBytes))
        {
            return JwsVerification.Fail("header is not UTF-8");
        }

        string kid;
        long iat;
        string? iss;
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            var h = doc.RootElement;
            if (h.ValueKind != JsonValueKind.Object)
            {
                return JwsVerification.Fail("header is not a JSON object");
            }

            if (!TryString(h, "alg", out var alg) || alg != "PS256")
            {
                return JwsVerification.Fail("alg must be PS256");
            }

            if (!TryString(h, "kid", out var k) || k.Length == 0)
            {
                return JwsVerification.Fail("kid missing");
            }

            kid = k;
            if (h.TryGetProperty("b64", out _))
            {
                return JwsVerification.Fail("b64 must not be present");
            }

            if (!h.TryGetProperty("crit", out var crit) || crit.ValueKind != JsonValueKind.Array)
            {
                return JwsVerification.Fail("crit missing");
            }

            var critNames = crit.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList();
            if (critNames.Count != Crit.Length || Crit.Any(c => !critNames.Contains(c)))
            {
                return JwsVerification.Fail("crit must list exactly the OBIE iat, iss and tan claims");
            }

            if (!h.TryGetProperty(IatClaim, out var iatElement) || iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetInt64(out iat))
            {
                return JwsVerification.Fail("iat claim missing");
            }

            if (!TryString(h, TanClaim, out var tan) || tan != TrustAnchor)
            {
                return JwsVerification.Fail("tan claim must be openbanking.org.uk");
            }

            if (!TryString(h, IssClaim, out var issValue) || issValue.Length == 0)
            {
                return JwsVerification.Fail("iss claim missing");
            }

            iss = issValue;
        }
        catch (JsonException)
        {
            return JwsVerification.Fail("header is not JSON");
        }

        if (expectations.Issuer is { } expectedIssuer && !string.Equals(expectedIssuer, iss, StringComparison.Ordinal))
        {
            return JwsVerification.Fail($"iss claim '{iss}' is not the bank's '{expectedIssuer}'");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iat, -62135596800L, 253402300799L));
        if (issuedAt > expectations.Now + expectations.ClockSkew)
        {
            return JwsVerification.Fail("iat lies in the future");
        }

        var rsa = await resolveKey(kid, cancellationToken).ConfigureAwait(false);
        if (rsa is null)
        {
            return JwsVerification.Fail($"unknown kid '{kid}'");
        }

        bool valid;
        try
        {
            valid = rsa.VerifyData(SigningInput(parts[0], payload.Span), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        return valid ? JwsVerification.Ok(kid, iss) : JwsVerification.Fail("signature does not verify");
    }

    internal static byte[] BuildHeader(string kid, string issuer, long iat)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("alg", "PS256");
            w.WriteString("kid", kid);
            w.WriteString("typ", "JOSE");
            w.WriteString("cty", "application/json");
            w.WriteNumber(IatClaim, iat);
            w.WriteString(IssClaim, issuer);
            w.WriteString(TanClaim, TrustAnchor);
            w.WriteStartArray("crit");
            foreach (var c in Crit)
            {
                w.WriteStringValue(c);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] SigningInput(string encodedHeader, ReadOnlySpan<byte> payload)
    {
        var encodedPayload = Base64Url.Encode(payload);
        var input = new byte[encodedHeader.Length + 1 + encodedPayload.Length];
        Encoding.ASCII.GetBytes(encodedHeader, input);
        input[encodedHeader.Length] = (byte)'.';
        Encoding.ASCII.GetBytes(encodedPayload, input.AsSpan(encodedHeader.Length + 1));
        return input;
    }

    private static bool TryString(JsonElement e, string name, out string value)
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

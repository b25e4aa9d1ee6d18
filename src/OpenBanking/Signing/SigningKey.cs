using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace Settlement.OpenBanking.Signing;

/// <summary>
/// An RSA private key with its <c>kid</c>, used for PS256 (detached JWS, request objects, client
/// assertions). Disposing it disposes the key. <see cref="ToString"/> shows only the kid.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private SigningKey(RSA rsa, string keyId)
    {
        Rsa = rsa;
        KeyId = keyId;
    }

    /// <summary>The key id registered in the client's JWKS.</summary>
    public string KeyId { get; }

    internal RSA Rsa { get; }

    /// <summary>Wraps an RSA key (at least 2048 bits). The key is owned by the returned instance.</summary>
    public static SigningKey FromRsa(RSA rsa, string keyId)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (rsa.KeySize < 2048)
        {
            throw new ArgumentException("PS256 keys must have at least 2048 bits.", nameof(rsa));
        }

        return new SigningKey(rsa, keyId);
    }

    /// <summary>Generates a fresh 2048-bit key (tests, sandbox clients).</summary>
    public static SigningKey Generate(string keyId) => FromRsa(RSA.Create(2048), keyId);

    /// <summary>
    /// Loads a PEM (PKCS#8 or PKCS#1 RSA private key) or a private JWK file. Never throws; the error
    /// text names the problem but never contains key material.
    /// </summary>
    public static bool TryLoad(string path, string keyId, [NotNullWhen(true)] out SigningKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = null;
        if (string.IsNullOrEmpty(keyId))
        {
            error = "a key id (kid) is required.";
            return false;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            error = $"cannot read the key file ({ex.GetType().Name}).";
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            error = "cannot read the key file (access denied).";
            return false;
        }

        var rsa = RSA.Create();
        try
        {
            if (text.TrimStart().StartsWith('{'))
            {
                if (!TryImportJwk(rsa, text, out var jwkError))
                {
                    error = jwkError!;
                    rsa.Dispose();
                    return false;
                }
            }
            else
            {
                rsa.ImportFromPem(text);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            error = "the file holds no readable RSA private key (PEM PKCS#8/PKCS#1 or JWK expected).";
            return false;
        }

        if (rsa.KeySize < 2048)
        {
            rsa.Dispose();
            error = "the RSA key is shorter than 2048 bits.";
            return false;
        }

        try
        {
            _ = rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            error = "the file holds a public key only; a private key is required.";
            return false;
        }

        key = new SigningKey(rsa, keyId);
        return true;
    }

    /// <summary>The public key as a JWK (kty, kid, use sig, alg PS256, n, e) for registration with a bank.</summary>
    public Dictionary<string, string> PublicJwk()
    {
        var p = Rsa.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kty"] = "RSA",
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = "PS256",
            ["n"] = Base64Url.Encode(p.Modulus!),
            ["e"] = Base64Url.Encode(p.Exponent!),
        };
    }

    /// <summary>Writes the private key as PKCS#8 PEM (tests and the sandbox CLI create client keys with it).</summary>
    public string ExportPkcs8Pem() => Rsa.ExportPkcs8PrivateKeyPem();

    /// <inheritdoc />
    public void Dispose() => Rsa.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"SigningKey(kid={KeyId})";

    private static bool TryImportJwk(RSA rsa, string json, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string? Get(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (Get("kty") != "RSA")
            {
                error = "the JWK is not an RSA key (kty must be RSA).";
                return false;
            }

            var names = new[] { "n", "e", "d", "p", "q", "dp", "dq", "qi" };
            var values = new byte[names.Length][];
            for (var i = 0; i < names.Length; i++)
            {
                if (Get(names[i]) is not { } s || !Base64Url.TryDecode(s, out var bytes))
                {
                    error = $"the JWK lacks a valid '{names[i]}' member (a private RSA JWK is required).";
                    return false;
                }

                values[i] = bytes;
            }

            rsa.ImportParameters(new RSAParameters
            {
                Modulus = values[0], Exponent = values[1], D = values[2], P = values[3], Q = values[4],
                DP = values[5], DQ = values[6], InverseQ = values[7],
            });
            return true;
        }
        catch (JsonException)
        {
            error = "the JWK file is not valid JSON.";
            return false;
        }
    }
}

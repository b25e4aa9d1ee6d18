using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Settlement.BankSandbox.Security;

/// <summary>PS256 (RSASSA-PSS, SHA-256, salt 32 bytes) and RSA public keys from IdentityModel key types.</summary>
internal static class RsaKeys
{
    public static byte[] SignPs256(RSA key, ReadOnlySpan<byte> data) =>
        key.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    public static bool VerifyPs256(RSA key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The RSA public key inside an <see cref="RsaSecurityKey"/> or RSA <see cref="JsonWebKey"/>; null otherwise.</summary>
    public static RSA? TryGetPublicRsa(SecurityKey? key)
    {
        try
        {
            switch (key)
            {
                case RsaSecurityKey { Rsa: not null } r:
                    return r.Rsa;
                case RsaSecurityKey r:
                    return RSA.Create(new RSAParameters { Modulus = r.Parameters.Modulus, Exponent = r.Parameters.Exponent });
                case JsonWebKey { Kty: "RSA" } j when j.N is not null && j.E is not null:
                    return RSA.Create(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(j.N), Exponent = Base64UrlEncoder.DecodeBytes(j.E) });
                default:
                    return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

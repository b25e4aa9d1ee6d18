using System.Security.Cryptography;
using System.Text;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>RFC 7636 PKCE with S256.</summary>
public static class Pkce
{
    /// <summary>A fresh code verifier: 32 random bytes, base64url (43 characters).</summary>
    public static string CreateVerifier() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The S256 challenge of a verifier: base64url(SHA-256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(verifier);
        return Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
    }
}

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// JWTs the client signs with PS256: the <c>private_key_jwt</c> client assertion (RFC 7523: iss = sub
/// = client id, aud = token endpoint, jti, iat, exp) and the OBIE authorisation request object.
/// </summary>
internal static class ClientAssertion
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static string CreateAssertion(SigningKey key, string clientId, string audience, DateTimeOffset now)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(5).UtcDateTime,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["sub"] = clientId,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = Credentials(key),
        };
        return Handler.CreateToken(descriptor);
    }

    public static string CreateRequestObject(SigningKey key, string clientId, string audience, IDictionary<string, object> claims, DateTimeOffset now)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(10).UtcDateTime,
            Claims = claims,
            SigningCredentials = Credentials(key),
        };
        return Handler.CreateToken(descriptor);
    }

    // IdentityModel caches signature providers by key id and modulus; a reloaded key (restart in
    // the same process, rotation) must never reuse a provider bound to a disposed RSA object.
    private static readonly CryptoProviderFactory Providers = new() { CacheSignatureProviders = false };

    private static SigningCredentials Credentials(SigningKey key) =>
        new(new RsaSecurityKey(key.Rsa) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSsaPssSha256) { CryptoProviderFactory = Providers };
}

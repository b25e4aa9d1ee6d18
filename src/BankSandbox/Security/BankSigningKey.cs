using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Settlement.BankSandbox.Security;

/// <summary>The bank's PS256 signing key (RSA 2048) and its public JWK. One per process (<see cref="Shared"/>).</summary>
internal sealed class BankSigningKey : IDisposable
{
    private static readonly Lazy<BankSigningKey> SharedKey = new(() => new BankSigningKey(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly RSA _rsa;

    /// <summary>The process-wide key: every sandbox in a process signs with it (generating RSA keys is slow).</summary>
    public static BankSigningKey Shared => SharedKey.Value;

    public BankSigningKey()
    {
        _rsa = RSA.Create(2048);
        var p = _rsa.ExportParameters(false);
        // kid: RFC 7638 thumbprint of the public key, so it is stable for the key and unique across runs.
        var canonical = $"{{\"e\":\"{Base64Url.Encode(p.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64Url.Encode(p.Modulus)}\"}}";
        Kid = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        PublicJwk = new JsonWebKey
        {
            Kty = "RSA",
            Kid = Kid,
            Use = "sig",
            Alg = "PS256",
            N = Base64Url.Encode(p.Modulus),
            E = Base64Url.Encode(p.Exponent),
        };
    }

    public string Kid { get; }

    public JsonWebKey PublicJwk { get; }

    public RSA Rsa => _rsa;

    public string JwksJson => new JsonObject
    {
        ["keys"] = new JsonArray(new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = Kid,
            ["use"] = "sig",
            ["alg"] = "PS256",
            ["n"] = PublicJwk.N,
            ["e"] = PublicJwk.E,
        }),
    }.ToJsonString();

    public void Dispose() => _rsa.Dispose();

    public override string ToString() => $"BankSigningKey({Kid})";
}

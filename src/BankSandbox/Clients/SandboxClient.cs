using Microsoft.IdentityModel.Tokens;

namespace Settlement.BankSandbox.Clients;

/// <summary>A registered TPP client (what dynamic client registration would have produced).</summary>
public sealed class SandboxClient
{
    /// <summary>The OAuth2 client id.</summary>
    public required string ClientId { get; init; }

    /// <summary>Secret for client_secret_post; null allows private_key_jwt only. Never logged.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>
    /// The client's public signing key (an <see cref="RsaSecurityKey"/> or an RSA <see cref="JsonWebKey"/>) with its
    /// <see cref="SecurityKey.KeyId"/>: verifies client assertions, request objects and x-jws-signature.
    /// </summary>
    public SecurityKey? SigningKey { get; init; }

    /// <summary>Registered redirect URIs (exact match).</summary>
    public IList<string> RedirectUris { get; init; } = new List<string>();

    /// <summary>Where event notifications are POSTed; null = none.</summary>
    public Uri? NotificationUrl { get; init; }

    /// <summary>The <c>http://openbanking.org.uk/iss</c> value the client's request signatures must carry; null = <see cref="ClientId"/>.</summary>
    public string? JwsIssuer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"SandboxClient({ClientId})";
}

namespace Settlement.OpenBanking.Auth;

/// <summary>The parts of the bank's OIDC discovery document the connector uses.</summary>
/// <param name="Issuer">The <c>issuer</c>; must equal the configured authority.</param>
/// <param name="AuthorizationEndpoint">Where the customer authorises a consent.</param>
/// <param name="TokenEndpoint">The token endpoint (also the client-assertion audience).</param>
/// <param name="JwksUri">The bank's signing keys.</param>
public sealed record OidcDiscovery(Uri Issuer, Uri AuthorizationEndpoint, Uri TokenEndpoint, Uri JwksUri)
{
    /// <summary>The CIBA <c>backchannel_authentication_endpoint</c>, when the bank offers decoupled authorisation.</summary>
    public Uri? BackchannelAuthenticationEndpoint { get; init; }

    /// <summary>True when <c>grant_types_supported</c> lists <c>urn:openid:params:grant-type:ciba</c>.</summary>
    public bool CibaGrantSupported { get; init; }

    /// <summary>True when the bank advertises decoupled (CIBA) authorisation: the endpoint and the grant.</summary>
    public bool SupportsCiba => BackchannelAuthenticationEndpoint is not null && CibaGrantSupported;
}

namespace Settlement.OpenBanking.Configuration;

/// <summary>How the customer authorises a payment consent at a bank.</summary>
public enum AuthorizationMode
{
    /// <summary>Redirect to the bank's authorisation endpoint (PKCE, request object); the default.</summary>
    Redirect,

    /// <summary>
    /// Decoupled (OpenID CIBA, poll mode): the bank asks the customer on their own device and the
    /// connector polls the token endpoint. The bank's discovery document must advertise
    /// <c>backchannel_authentication_endpoint</c> and the CIBA grant.
    /// </summary>
    Decoupled,
}

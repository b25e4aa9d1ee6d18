namespace Settlement.OpenBanking.Auth;

/// <summary>
/// An authorisation request for one consent: the URL to send the customer to, and the values to
/// keep until the redirect comes back. <see cref="CodeVerifier"/> is a short-lived secret: it is not
/// shown by <see cref="ToString"/>.
/// </summary>
public sealed record AuthorizationRequest(Uri Url, string ConsentId, string State, string Nonce, string CodeVerifier)
{
    /// <inheritdoc />
    public override string ToString() => $"AuthorizationRequest(consent={ConsentId}, state={State})";
}

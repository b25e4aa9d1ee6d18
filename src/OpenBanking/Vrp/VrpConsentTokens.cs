using Settlement.OpenBanking.Auth;

namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// The customer's authorisation of a VRP consent: a short-lived access token and the refresh token that renews it
/// for later sweeps. <see cref="ToString"/> reveals neither.
/// </summary>
public sealed class VrpConsentTokens
{
    internal VrpConsentTokens(AccessToken access, string? refreshToken)
    {
        Access = access;
        RefreshToken = refreshToken;
    }

    /// <summary>The consent-bound access token.</summary>
    public AccessToken Access { get; }

    internal string? RefreshToken { get; }

    /// <summary>Whether the bank gave a refresh token (without one, a sweep after expiry needs a new authorisation).</summary>
    public bool CanRefresh => RefreshToken is not null;

    /// <inheritdoc />
    public override string ToString() => $"VrpConsentTokens(expires {Access.ExpiresOn:O}, refreshable: {CanRefresh})";
}

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// The result of one poll: the outcome, the updated pending state (interval, next poll) and, when authorised,
/// the token. <see cref="BankTokenProvider"/> also hands over the raw ID token and the refresh token that came
/// with it, unchecked; <see cref="Pis.PisClient"/> verifies the ID token against them and drops both before the
/// result goes further.
/// </summary>
internal sealed record DecoupledPollResult(DecoupledPollOutcome Outcome, DecoupledAuthorization Pending, AccessToken? Token = null, string? IdToken = null, string? RefreshToken = null)
{
    /// <summary>Never shows the ID token or the refresh token.</summary>
    public override string ToString() => $"DecoupledPollResult({Outcome}, {Pending}, {Token?.ToString() ?? "no token"})";
}

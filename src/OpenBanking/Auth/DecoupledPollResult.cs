namespace Settlement.OpenBanking.Auth;

/// <summary>The result of one poll: the outcome, the updated pending state (interval, next poll) and, when authorised, the token.</summary>
internal sealed record DecoupledPollResult(DecoupledPollOutcome Outcome, DecoupledAuthorization Pending, AccessToken? Token = null);

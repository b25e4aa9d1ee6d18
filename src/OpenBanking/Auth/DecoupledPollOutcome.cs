namespace Settlement.OpenBanking.Auth;

/// <summary>What one look at a pending decoupled authorisation found.</summary>
internal enum DecoupledPollOutcome
{
    /// <summary>The interval has not passed since the last poll; nothing was sent.</summary>
    NotDue,

    /// <summary><c>authorization_pending</c> or <c>slow_down</c>: ask again at <see cref="DecoupledAuthorization.NextPollAt"/>.</summary>
    Pending,

    /// <summary>The customer approved; the consent-bound token was issued.</summary>
    Authorised,

    /// <summary><c>access_denied</c>: the customer declined.</summary>
    Denied,

    /// <summary><c>expired_token</c>, or <c>expires_in</c> passed before the customer answered.</summary>
    Expired,
}

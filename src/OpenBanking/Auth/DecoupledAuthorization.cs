namespace Settlement.OpenBanking.Auth;

/// <summary>
/// A pending decoupled (CIBA poll mode) authorisation: the bank's <c>auth_req_id</c>, when it
/// expires (<c>expires_in</c>), the polling interval (<c>interval</c>, raised by <c>slow_down</c>)
/// and the earliest time of the next poll. Persisted with the transfer so a restart keeps polling.
/// </summary>
internal sealed record DecoupledAuthorization(string AuthReqId, DateTimeOffset ExpiresAt, TimeSpan Interval, DateTimeOffset NextPollAt)
{
    /// <summary>Never shows the request id.</summary>
    public override string ToString() => $"DecoupledAuthorization(expires {ExpiresAt:O}, interval {Interval}, next poll {NextPollAt:O})";
}

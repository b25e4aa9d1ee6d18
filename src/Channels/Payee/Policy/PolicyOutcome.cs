namespace Settlement.Channels.Payee.Policy;

/// <summary>How an action ended.</summary>
public enum PolicyOutcome
{
    /// <summary>The transaction was mined and did what was planned.</summary>
    Done = 1,

    /// <summary>The chain already held the result (e.g. <c>VoucherNotNewer</c>: someone redeemed it first; the channel was already settled).</summary>
    AlreadyDone = 2,

    /// <summary>Too early (<c>ChallengePeriodActive</c>): the next run tries again.</summary>
    NotYet = 3,

    /// <summary>Refused by the contract for another reason, or the node failed; the next run re-plans from chain state.</summary>
    Failed = 4,
}

namespace Settlement.Channels.Payee.Policy;

/// <summary>Why the planner chose an action.</summary>
public enum PolicyReason
{
    /// <summary>The channel is closing, its deadline is within the dispute margin and the payee holds a newer voucher.</summary>
    Dispute = 1,

    /// <summary>The channel is closing and the payee holds a newer voucher (deadline further than the margin).</summary>
    Closing = 2,

    /// <summary>The remaining credit is below the configured share or amount of the deposit.</summary>
    DepositNearlyExhausted = 3,

    /// <summary>The value not yet redeemed is above the configured threshold.</summary>
    UnredeemedAboveThreshold = 4,

    /// <summary>No voucher arrived for the configured idle time.</summary>
    Idle = 5,

    /// <summary>The close deadline has passed.</summary>
    DeadlinePassed = 6,

    /// <summary>A merchant asked for a batch of everything with something new to redeem.</summary>
    Requested = 7,
}

namespace Settlement.Channels.Watchtower;

/// <summary>What an alert reports.</summary>
public enum WatchtowerAlertKind
{
    /// <summary>A close was found after its challenge window ended while the held voucher was above the redeemed amount: nothing was sent.</summary>
    MissedDispute = 1,

    /// <summary>A close was answered with less than the safety margin left before its deadline.</summary>
    LateDispute = 2,

    /// <summary>The node refused the redeem (e.g. its gas estimate reverted); it is retried at the next poll.</summary>
    DisputeRefused = 3,

    /// <summary>The chain under the checkpoint changed deeper than the recent blocks kept: re-read from the oldest kept block.</summary>
    DeepReorg = 4,
}

namespace Settlement.Channels.Watchtower;

/// <summary>What the watchtower does for one guarded channel at one poll (<see cref="DisputeRules.Decide"/>).</summary>
public enum DutyAction
{
    /// <summary>Open, or nothing left to do for now.</summary>
    None = 0,

    /// <summary>The channel no longer exists on chain (settled): stop guarding it.</summary>
    Finish = 1,

    /// <summary>Closing, the chain has paid less than the held voucher and the window is open: send <c>redeem</c>.</summary>
    Redeem = 2,

    /// <summary>Our redeem (or settle) for this amount is waiting in the node's pool: wait.</summary>
    WaitForPending = 3,

    /// <summary>Our signed transaction vanished (dropped or reorged out): send the same bytes again.</summary>
    Resend = 4,

    /// <summary>Closing, the chain has paid less than the held voucher and the window is over: alert, send nothing.</summary>
    Missed = 5,

    /// <summary>The window is over and settling is configured: send <c>settle</c>.</summary>
    Settle = 6,
}

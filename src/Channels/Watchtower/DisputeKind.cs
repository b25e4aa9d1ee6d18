namespace Settlement.Channels.Watchtower;

/// <summary>The transactions the watchtower sends.</summary>
public enum DisputeKind
{
    /// <summary><c>redeem</c> with the held voucher while a close is pending.</summary>
    Redeem = 1,

    /// <summary><c>settle</c> after the deadline (with <see cref="WatchtowerOptions.SettleAfterDeadline"/>).</summary>
    Settle = 2,
}

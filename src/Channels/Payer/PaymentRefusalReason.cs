namespace Settlement.Channels.Payer;

/// <summary>Why the payer refused to sign a payment.</summary>
public enum PaymentRefusalReason
{
    /// <summary>The increment is zero or negative (a voucher must add something).</summary>
    NotPositive = 1,

    /// <summary>The new cumulative amount would be above the channel's deposit: top up first.</summary>
    ExceedsDeposit = 2,

    /// <summary>A unilateral close has started: the channel takes no more payments.</summary>
    ChannelClosing = 3,

    /// <summary>The channel is settled.</summary>
    ChannelClosed = 4,
}

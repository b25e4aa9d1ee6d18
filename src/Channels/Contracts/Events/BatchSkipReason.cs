namespace Settlement.Channels.Contracts.Events;

/// <summary>Why <c>redeemBatch</c> skipped an item (the <c>reason</c> of <c>BatchItemSkipped</c>).</summary>
public enum BatchSkipReason
{
    /// <summary>A reason this client does not know (a newer contract).</summary>
    Unknown = 0,

    /// <summary>The channel was already redeemed at or beyond the item's amount (e.g. by a third party first).</summary>
    AlreadyRedeemed = 1,

    /// <summary>The channel does not exist (settled, or never opened).</summary>
    ChannelNotFound = 2,

    /// <summary>The channel's challenge period is over.</summary>
    ChallengePeriodOver = 3,
}

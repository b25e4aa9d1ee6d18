namespace Settlement.Service.Indexer.Storage;

/// <summary>Why a booked event moved no money in the ledger (it is still recorded, so it is booked exactly once).</summary>
public enum EventIgnoredReason
{
    /// <summary>The event moves no money (<c>ChannelClosing</c>, a zero amount).</summary>
    NoMovement = 1,

    /// <summary>The channel's token is not one the indexer maps to a ledger (e.g. an ETH channel).</summary>
    UnmappedToken = 2,

    /// <summary>A token transfer to or from the channel contract: the channel event of the same transaction books it.</summary>
    CoveredByChannelEvent = 3,

    /// <summary>The channel was opened before the indexer's start block, so its parties are unknown.</summary>
    UnknownChannel = 4,

    /// <summary>An amount does not fit the ledger's 128 bits.</summary>
    AmountOutOfRange = 5,
}

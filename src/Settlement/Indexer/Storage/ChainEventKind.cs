namespace Settlement.Service.Indexer.Storage;

/// <summary>The chain events the indexer books (the channel contract's events and the stablecoin's <c>Transfer</c>).</summary>
public enum ChainEventKind
{
    /// <summary><c>ChannelOpened</c>.</summary>
    ChannelOpened = 1,

    /// <summary><c>ChannelToppedUp</c> (either side).</summary>
    ChannelToppedUp = 2,

    /// <summary><c>VoucherRedeemed</c> (either direction).</summary>
    VoucherRedeemed = 3,

    /// <summary>One redeemed item of a <c>BatchRedeemed</c> log (contract v1: a <c>BatchVoucherRedeemed</c> log).</summary>
    BatchVoucherRedeemed = 4,

    /// <summary><c>ChannelClosing</c>: no money moves.</summary>
    ChannelClosing = 5,

    /// <summary><c>ChannelSettled</c> (unilateral settle or cooperative close).</summary>
    ChannelSettled = 6,

    /// <summary><c>PayoutDeferred</c>: a push payout was credited to <c>owed</c>.</summary>
    PayoutDeferred = 7,

    /// <summary><c>OwedWithdrawn</c>.</summary>
    OwedWithdrawn = 8,

    /// <summary>The stablecoin's ERC-20 <c>Transfer</c> (mint, burn or transfer).</summary>
    TokenTransfer = 9,

    /// <summary><c>BatchItemSkipped</c>: a batch item was skipped, no money moves.</summary>
    BatchItemSkipped = 10,
}

namespace Settlement.Service.Indexer.Mapping;

/// <summary>
/// The <see cref="Ledger.Transfer.Code"/> of the transfers the chain indexer books (1001–1099; see docs/indexer.md,
/// "What the indexer books"). The other flows use codes outside this range.
/// </summary>
public enum ChainTransferCode : ushort
{
    /// <summary>Stablecoin minted: token issuance → wallet.</summary>
    TokenMinted = 1001,

    /// <summary>Stablecoin burned: wallet → token issuance.</summary>
    TokenBurned = 1002,

    /// <summary>Stablecoin moved between two wallets (neither is the channel contract).</summary>
    TokenTransferred = 1003,

    /// <summary>A channel opened: funder's wallet → channel escrow.</summary>
    ChannelFunded = 1011,

    /// <summary>A channel topped up (either side): funder's wallet → channel escrow.</summary>
    ChannelToppedUp = 1012,

    /// <summary>A voucher redeemed: channel escrow → the receiving party's wallet.</summary>
    VoucherRedeemed = 1013,

    /// <summary>A voucher redeemed in a batch: channel escrow → payee's wallet (the increase of its redeemed total).</summary>
    BatchVoucherRedeemed = 1014,

    /// <summary>A channel settled: channel escrow → payer's wallet (its refund).</summary>
    SettledToPayer = 1015,

    /// <summary>A channel settled: channel escrow → payee's wallet.</summary>
    SettledToPayee = 1016,

    /// <summary>A push payout failed: the recipient's wallet → its deferred-payout account (the tokens stayed in the contract).</summary>
    PayoutDeferred = 1017,

    /// <summary>Deferred payouts withdrawn: the owner's deferred-payout account → the receiving wallet.</summary>
    OwedWithdrawn = 1018,

    /// <summary>The reversal of a transfer booked by a block that a reorg removed (user data = the reversed transfer's id).</summary>
    Reversal = 1099,
}

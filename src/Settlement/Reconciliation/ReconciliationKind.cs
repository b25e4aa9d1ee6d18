namespace Settlement.Service.Reconciliation;

/// <summary>
/// What a record represents. The reference-keyed rules ignore it (a reference and a signed amount already say which
/// movement a record is); the rule without a reference (<see cref="MatchRule.AmountWithoutReference"/>) requires it to
/// be equal on both sides, so a top-up is never paired with a payout of the same amount.
/// </summary>
public enum ReconciliationKind
{
    /// <summary>Anything not listed.</summary>
    Other = 0,

    /// <summary>Money in from a user for a channel (bank payment in, its ledger booking).</summary>
    Topup = 1,

    /// <summary>A top-up sent back (rejected after booking, refunded).</summary>
    TopupReturn = 2,

    /// <summary>Money out to a merchant's bank account.</summary>
    Payout = 3,

    /// <summary>A completed payout that came back (the bank's return, the ledger's reversal).</summary>
    PayoutReturn = 4,

    /// <summary>A channel opened or topped up on chain.</summary>
    ChannelFunded = 5,

    /// <summary>A channel's escrow paid out on chain (close, withdraw, redeem).</summary>
    ChannelSettled = 6,

    /// <summary>The reversal of an earlier record, e.g. a chain event removed by a reorg and the ledger's reversing transfer.</summary>
    Reversal = 7,

    /// <summary>A fee.</summary>
    Fee = 8,
}

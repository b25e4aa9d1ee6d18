namespace Settlement.Service.Flows;

/// <summary>What a payout batch did for one merchant.</summary>
public enum PayoutBatchItemOutcome
{
    /// <summary>A payout flow was created and advanced.</summary>
    Started = 1,

    /// <summary>This batch already has the merchant's payout (another runner, or a repeat): advanced, not paid twice.</summary>
    AlreadyInBatch,

    /// <summary>The balance's whole pence are below the minimum: nothing paid.</summary>
    BelowMinimum,

    /// <summary>The fee is at least the amount: nothing paid.</summary>
    FeeNotCovered,

    /// <summary>An earlier payout of the merchant is not finished: its burn may not be reflected in the balance yet.</summary>
    PreviousPayoutUnfinished,

    /// <summary>The payout flow exists but advancing it failed (transient; the resume worker retries).</summary>
    AdvanceFailed,

    /// <summary>The id is not a configured merchant (Settlement:Payouts:Merchants): nothing paid or stored.</summary>
    UnknownMerchant,
}

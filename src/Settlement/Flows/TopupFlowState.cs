namespace Settlement.Service.Flows;

/// <summary>
/// Where a top-up stands (docs/flows.md). Forward only: Created → AwaitingBank → Credited → FundingReserved →
/// AwaitingConfirmation → Funded, or Rejected / FundingFailed / Refused; a bank return recorded later ends a completed
/// top-up in Reversed (the money was still in the user's funds) or ReturnedAfterFunding (an exposure, reported).
/// </summary>
public enum TopupFlowState
{
    /// <summary>Stored; the bank top-up is started next (idempotent per the derived operation id).</summary>
    Created = 1,

    /// <summary>The bank top-up was started; waiting for its final status (the customer authorises it).</summary>
    AwaitingBank,

    /// <summary>The bank completed it; the ledger credited the user (bank clearing → user funds).</summary>
    Credited,

    /// <summary>The channel funding is reserved in the ledger (pending user funds → stablecoin reserve); the chain step is next.</summary>
    FundingReserved,

    /// <summary>The funding transaction was mined; waiting for the indexer to confirm it.</summary>
    AwaitingConfirmation,

    /// <summary>Confirmed: the reservation is posted. Final unless the bank returns the top-up.</summary>
    Funded,

    /// <summary>The bank rejected (or failed) the top-up: nothing was credited or funded. Final.</summary>
    Rejected,

    /// <summary>The funding transaction reverted: the reservation is voided, the money stays in the user's funds. Final unless returned.</summary>
    FundingFailed,

    /// <summary>The bank returned the top-up and the user's funds were reversed to bank clearing. Final.</summary>
    Reversed,

    /// <summary>The bank returned the top-up after the money was put into a channel: an exposure to recover. Final, reported.</summary>
    ReturnedAfterFunding,

    /// <summary>The ledger or the bank refused a step (see <see cref="TopupFlow.Problem"/>). Final, reported.</summary>
    Refused,
}

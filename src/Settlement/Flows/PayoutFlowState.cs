namespace Settlement.Service.Flows;

/// <summary>
/// Where a merchant payout stands (docs/flows.md). Forward only: Created → BurnSubmitted → PayoutReserved →
/// AwaitingBank → Paid, or BurnFailed / BankRejected / Refused; a bank return recorded after Paid ends it in Returned.
/// </summary>
public enum PayoutFlowState
{
    /// <summary>Stored; the burn of the merchant's tGBP is next.</summary>
    Created = 1,

    /// <summary>The burn was mined; waiting for the indexer to confirm it.</summary>
    BurnSubmitted,

    /// <summary>Confirmed: payable credited, fee taken, the net amount reserved (pending payable → bank clearing); the bank payout is next.</summary>
    PayoutReserved,

    /// <summary>The bank payout was started; waiting for its final status.</summary>
    AwaitingBank,

    /// <summary>The bank completed it: the reservation is posted. Final unless the bank returns it.</summary>
    Paid,

    /// <summary>The burn reverted: nothing was booked; the merchant keeps its tGBP. Final, reported.</summary>
    BurnFailed,

    /// <summary>The bank rejected the payout: the reservation is voided, the merchant keeps the payable. Final, reported.</summary>
    BankRejected,

    /// <summary>The bank returned the payout: bank clearing → merchant payable reversed it. Final, reported.</summary>
    Returned,

    /// <summary>The ledger or the bank refused a step (see <see cref="PayoutFlow.Problem"/>). Final, reported.</summary>
    Refused,
}

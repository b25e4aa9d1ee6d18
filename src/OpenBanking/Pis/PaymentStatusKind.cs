namespace Settlement.OpenBanking.Pis;

/// <summary>
/// Version-independent payment lifecycle, ordered: a payment only moves to a later stage.
/// <see cref="Rejected"/> and <see cref="Completed"/> are final.
/// </summary>
public enum PaymentStatusKind
{
    /// <summary>A code this connector does not know (kept verbatim, never treated as final).</summary>
    Unknown = 0,

    /// <summary>RCVD: received.</summary>
    Received = 1,

    /// <summary>Pending / PDNG.</summary>
    Pending = 2,

    /// <summary>ACTC, PATC, ACCP, ACFC: technical and customer checks passed.</summary>
    Accepted = 3,

    /// <summary>AcceptedSettlementInProcess / ACSP.</summary>
    SettlementInProcess = 4,

    /// <summary>AcceptedWithoutPosting / ACWP, ACWC (accepted with change).</summary>
    AcceptedWithoutPosting = 5,

    /// <summary>AcceptedSettlementCompleted / ACSC: debtor account debited.</summary>
    SettlementCompleted = 6,

    /// <summary>AcceptedCreditSettlementCompleted / ACCC: creditor account credited. Final.</summary>
    Completed = 7,

    /// <summary>Rejected / RJCT, BLCK, CANC, PaymentCancelled. Final.</summary>
    Rejected = 8,

    /// <summary>
    /// v3.1.11 payment-details codes about a cancellation request (AcceptedCancellationRequest,
    /// PendingCancellationRequest, RejectedCancellationRequest, PartiallyAcceptedCancellationRequest,
    /// NoCancellationProcess): they say nothing about settlement and never change a transfer's state.
    /// </summary>
    CancellationRequest = 9,
}

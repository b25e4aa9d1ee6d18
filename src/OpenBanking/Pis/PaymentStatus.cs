namespace Settlement.OpenBanking.Pis;

/// <summary>A payment status: the bank's code as sent and its place in the lifecycle.</summary>
public readonly record struct PaymentStatus(string Code, PaymentStatusKind Kind)
{
    /// <summary>
    /// Maps every domestic-payment and payment-details status code of v3.1.11 (long names) and v4.0
    /// (ISO 20022 codes); an unknown code is kept with <see cref="PaymentStatusKind.Unknown"/> and
    /// reported, never an error.
    /// </summary>
    public static PaymentStatus FromCode(string code) => new(code, code switch
    {
        "RCVD" or "Received" => PaymentStatusKind.Received,
        "Pending" or "PDNG" => PaymentStatusKind.Pending,
        "ACTC" or "PATC" or "ACCP" or "ACFC" or "Accepted" or "AcceptedTechnicalValidation" or "PartiallyAcceptedTechnicalCorrect" or "AcceptedCustomerProfile"
            or "AcceptedFundsChecked" => PaymentStatusKind.Accepted,
        "AcceptedSettlementInProcess" or "ACSP" => PaymentStatusKind.SettlementInProcess,
        "AcceptedWithoutPosting" or "ACWP" or "ACWC" or "AcceptedWithChange" => PaymentStatusKind.AcceptedWithoutPosting,
        "AcceptedSettlementCompleted" or "ACSC" => PaymentStatusKind.SettlementCompleted,
        "AcceptedCreditSettlementCompleted" or "ACCC" => PaymentStatusKind.Completed,
        "Rejected" or "RJCT" or "BLCK" or "CANC" or "Cancelled" or "PaymentCancelled" => PaymentStatusKind.Rejected,
        "AcceptedCancellationRequest" or "PendingCancellationRequest" or "RejectedCancellationRequest" or "PartiallyAcceptedCancellationRequest"
            or "NoCancellationProcess" => PaymentStatusKind.CancellationRequest,
        _ => PaymentStatusKind.Unknown,
    });

    /// <summary>True for a status after which nothing changes (credited or rejected).</summary>
    public bool IsFinal => Kind is PaymentStatusKind.Completed or PaymentStatusKind.Rejected;

    /// <summary>True when the money has left the debtor account (ACSC or ACCC).</summary>
    public bool IsSettled => Kind is PaymentStatusKind.SettlementCompleted or PaymentStatusKind.Completed;

    /// <inheritdoc />
    public override string ToString() => Code;
}

namespace Settlement.OpenBanking.Pis;

/// <summary>A payment status: the bank's code as sent and its place in the lifecycle.</summary>
public readonly record struct PaymentStatus(string Code, PaymentStatusKind Kind)
{
    /// <summary>Maps a v3.1.11 or v4.0 code; an unknown code is kept and reported, not an error.</summary>
    public static PaymentStatus FromCode(string code) => new(code, code switch
    {
        "RCVD" or "Received" => PaymentStatusKind.Received,
        "Pending" or "PDNG" => PaymentStatusKind.Pending,
        "ACTC" or "PATC" or "ACCP" or "ACFC" or "Accepted" or "AcceptedTechnicalValidation" or "AcceptedCustomerProfile" or "AcceptedFundsChecked" => PaymentStatusKind.Accepted,
        "AcceptedSettlementInProcess" or "ACSP" => PaymentStatusKind.SettlementInProcess,
        "AcceptedWithoutPosting" or "ACWP" or "ACWC" => PaymentStatusKind.AcceptedWithoutPosting,
        "AcceptedSettlementCompleted" or "ACSC" => PaymentStatusKind.SettlementCompleted,
        "AcceptedCreditSettlementCompleted" or "ACCC" => PaymentStatusKind.Completed,
        "Rejected" or "RJCT" or "BLCK" or "CANC" or "Cancelled" => PaymentStatusKind.Rejected,
        _ => PaymentStatusKind.Unknown,
    });

    /// <summary>True for a status after which nothing changes (credited or rejected).</summary>
    public bool IsFinal => Kind is PaymentStatusKind.Completed or PaymentStatusKind.Rejected;

    /// <summary>True when the money has left the debtor account (ACSC or ACCC).</summary>
    public bool IsSettled => Kind is PaymentStatusKind.SettlementCompleted or PaymentStatusKind.Completed;

    /// <inheritdoc />
    public override string ToString() => Code;
}

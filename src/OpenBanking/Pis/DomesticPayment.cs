namespace Settlement.OpenBanking.Pis;

/// <summary>A domestic payment as the bank reported it (either spec version).</summary>
public sealed record DomesticPayment(string PaymentId, string ConsentId, PaymentStatus Status, Money Amount, DateTimeOffset? StatusUpdated)
{
    /// <summary>
    /// <c>Data.Refund.Account</c>: the payer's account as the bank verified it, returned when the consent
    /// asked for it (<c>ReadRefundAccount: Yes</c>). Money sent back goes here (closed loop).
    /// </summary>
    public AccountIdentification? Refund { get; init; }

    /// <summary><c>Data.Debtor</c>: the account the payment is taken from, when the bank says.</summary>
    public AccountIdentification? Debtor { get; init; }

    /// <summary><c>Data.StatusReason[]</c> (v4.0): why the payment has its status (e.g. a rejection reason).</summary>
    public IReadOnlyList<StatusReason> StatusReasons { get; init; } = [];

    /// <summary><c>Data.Charges[]</c>: charges the bank applies.</summary>
    public IReadOnlyList<PaymentCharge> Charges { get; init; } = [];

    /// <summary><c>Data.ExpectedExecutionDateTime</c>.</summary>
    public DateTimeOffset? ExpectedExecution { get; init; }

    /// <summary><c>Data.ExpectedSettlementDateTime</c>.</summary>
    public DateTimeOffset? ExpectedSettlement { get; init; }
}

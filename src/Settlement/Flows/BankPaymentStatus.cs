namespace Settlement.Service.Flows;

/// <summary>Where a bank payment of a flow stands, as the flows need it.</summary>
public enum BankPaymentStatus
{
    /// <summary>Not final yet (consent, authorisation, submitted, accepted but not settled).</summary>
    Pending = 1,

    /// <summary>Final and accepted: the money moved.</summary>
    Completed,

    /// <summary>Final: declined by the customer or rejected by the bank; nothing moved.</summary>
    Rejected,

    /// <summary>Final: a permanent error before any payment existed; nothing moved.</summary>
    Failed,

    /// <summary>The operation id names a payment with other parameters: refused, nothing sent.</summary>
    Conflict,
}

namespace Settlement.PayeeService.Http402;

/// <summary>The result of claiming a voucher for a request.</summary>
internal enum PaymentClaimStatus
{
    /// <summary>The request is paid.</summary>
    Charged,

    /// <summary>The amount already paid for a request (or predates this process): it buys nothing.</summary>
    Reused,

    /// <summary>The credit does not cover the price; the amount is claimed and what it added stays as credit.</summary>
    Insufficient,
}

namespace Settlement.Channels.Transport.Http402;

/// <summary>The <c>error</c> values of a 402 answer (docs/payee.md, "HTTP 402").</summary>
public static class PaymentErrors
{
    /// <summary>No <see cref="PaymentHeaders.Signature"/> header was sent.</summary>
    public const string PaymentRequired = "payment_required";

    /// <summary>The header could not be read (not base64, not JSON, a missing or mistyped field, too long).</summary>
    public const string InvalidPayment = "invalid_payment";

    /// <summary>The payment names another scheme, network or contract than the route accepts.</summary>
    public const string WrongNetwork = "wrong_network";

    /// <summary>The channel pays another payee than this route's.</summary>
    public const string WrongPayee = "wrong_payee";

    /// <summary>The channel holds another asset than this route's.</summary>
    public const string WrongAsset = "wrong_asset";

    /// <summary>The payee refused the voucher; <c>reason</c> is the refusal code (e.g. <c>stale</c>, <c>exceedsDeposit</c>).</summary>
    public const string VoucherRejected = "voucher_rejected";

    /// <summary>The voucher repeats one already used: it adds nothing, so it cannot pay for another request.</summary>
    public const string VoucherReused = "voucher_reused";

    /// <summary>The voucher was stored but added less than the request costs; what it added stays as credit.</summary>
    public const string InsufficientPayment = "insufficient_payment";
}

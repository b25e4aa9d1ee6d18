using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer;

/// <summary>The next cumulative voucher was signed and stored durably; it has not been delivered (the caller carries it).</summary>
/// <param name="Voucher">The signed voucher.</param>
public sealed record PaymentSigned(SignedVoucher Voucher) : PaymentOutcome;

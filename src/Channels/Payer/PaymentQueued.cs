using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer;

/// <summary>
/// The voucher was signed and stored durably but the payee could not be reached (or asked to retry): it is delivered
/// when the payee is back; only the newest voucher of the channel is sent then, since it supersedes older ones.
/// </summary>
/// <param name="Voucher">The signed voucher.</param>
public sealed record PaymentQueued(SignedVoucher Voucher) : PaymentOutcome;

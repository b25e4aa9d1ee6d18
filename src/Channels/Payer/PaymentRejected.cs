using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer;

/// <summary>
/// The voucher was signed and stored, and the payee refused it (the ACK's reject code says why, e.g.
/// <c>UnknownChannel</c> before the opening is confirmed). It still counts in the payer's exposure.
/// </summary>
/// <param name="Voucher">The signed voucher.</param>
/// <param name="Ack">The payee's rejection.</param>
public sealed record PaymentRejected(SignedVoucher Voucher, AckFrame Ack) : PaymentOutcome;

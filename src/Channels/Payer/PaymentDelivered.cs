using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer;

/// <summary>
/// The voucher was signed, stored and acknowledged by the payee: accepted, a duplicate, or superseded by a newer voucher
/// of the same payer the payee already accepted (a <c>Stale</c> ACK: concurrent vouchers may arrive out of order).
/// </summary>
/// <param name="Voucher">The signed voucher.</param>
/// <param name="Ack">The payee's acknowledgement.</param>
public sealed record PaymentDelivered(SignedVoucher Voucher, AckFrame Ack) : PaymentOutcome;

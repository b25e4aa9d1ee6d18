using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer;

/// <summary>
/// The voucher was signed, stored and acknowledged by the payee: accepted, a duplicate, or covered by a newer voucher
/// the payee already holds (a <c>Stale</c> ACK whose stored amount is at least this one).
/// </summary>
/// <param name="Voucher">The signed voucher.</param>
/// <param name="Ack">The payee's acknowledgement.</param>
public sealed record PaymentDelivered(SignedVoucher Voucher, AckFrame Ack) : PaymentOutcome;

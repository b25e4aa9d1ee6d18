using System.Numerics;
using Settlement.Channels.Payee;

namespace Settlement.Channels.Payer.Storage;

/// <summary>
/// A durable <see cref="Metering.UsageMeter"/>'s running totals, kept with its channel so a restarted payer neither
/// charges the same use twice nor forgets use it recorded. A payment is written ahead: <see cref="Paid"/> already counts
/// <see cref="PendingPayment"/>, which is certain only once the channel's durable signed amount reached
/// <see cref="PendingAbove"/> + <see cref="PendingPayment"/>; on restart a payment that never became durable is taken
/// back out of <see cref="Paid"/> and paid again.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="Name">The meter's name within the channel (<see cref="Metering.MeterOptions.Name"/>).</param>
/// <param name="Units">Units (or bytes, or whole seconds of a time meter) recorded.</param>
/// <param name="Ticks">Time billed so far, in <see cref="TimeSpan"/> ticks (time meters; 0 otherwise).</param>
/// <param name="Paid">Paid through the meter, base units, including <see cref="PendingPayment"/>.</param>
/// <param name="PendingPayment">The newest payment written ahead of its voucher (0: none).</param>
/// <param name="PendingAbove">The channel's signed amount just before that payment was asked for.</param>
public sealed record PayerMeterState(
    ChannelKey Key, string Name, BigInteger Units, long Ticks, BigInteger Paid, BigInteger PendingPayment, BigInteger PendingAbove);

using System.Numerics;

namespace Settlement.Channels.Payer.Metering;

/// <summary>The result of recording usage.</summary>
/// <param name="Status">Recorded, paid, paused or rejected.</param>
/// <param name="Units">Units (or seconds, or bytes) recorded in total.</param>
/// <param name="Due">What the recorded usage costs in total, base units.</param>
/// <param name="Paid">What the meter has paid in total, base units (may be ahead of <paramref name="Due"/>).</param>
/// <param name="Payment">The payment made by this call, if any.</param>
public sealed record MeterOutcome(MeterStatus Status, BigInteger Units, BigInteger Due, BigInteger Paid, PaymentOutcome? Payment)
{
    /// <summary>Owed and not yet paid (never above the meter's unpaid credit).</summary>
    public BigInteger Unpaid => BigInteger.Max(BigInteger.Zero, Due - Paid);
}

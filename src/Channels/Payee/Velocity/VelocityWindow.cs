using System.Numerics;

namespace Settlement.Channels.Payee.Velocity;

/// <summary>
/// Fixed-window counters of one subject (a channel or a payer): payments in the current second and value in the
/// current minute, plus which flags were already raised in those windows (one flag per rule and window).
/// Not thread-safe: <see cref="VelocityGuard"/> locks it.
/// </summary>
internal sealed class VelocityWindow
{
    public long Second { get; set; } = long.MinValue;

    public int Payments { get; set; }

    public long Minute { get; set; } = long.MinValue;

    public BigInteger Value { get; set; }

    /// <summary>Flags raised in the current windows: bit 0 count flag, 1 count refusal, 2 value flag, 3 value refusal.</summary>
    public byte Raised { get; set; }

    public void Roll(long unixSeconds)
    {
        if (unixSeconds != Second)
        {
            Second = unixSeconds;
            Payments = 0;
            Raised &= 0b1100;
        }

        var minute = unixSeconds / 60;
        if (minute != Minute)
        {
            Minute = minute;
            Value = BigInteger.Zero;
            Raised &= 0b0011;
        }
    }
}

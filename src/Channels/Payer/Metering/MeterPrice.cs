using System.Numerics;

namespace Settlement.Channels.Payer.Metering;

/// <summary>
/// A price in token base units: <see cref="Amount"/> per <see cref="PerUnits"/> units (units, seconds or bytes), so
/// prices below one base unit per unit need no fractions (e.g. 3 per 1,000 bytes). Integers only; the cost of a usage
/// total is rounded up to a whole base unit (docs/payer.md, "Metering").
/// </summary>
public sealed record MeterPrice
{
    /// <summary>Creates a price.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is negative or the unit count not positive.</exception>
    public MeterPrice(BigInteger amount, BigInteger perUnits)
    {
        if (amount.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "A price is not negative.");
        }

        if (perUnits.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(perUnits), "A price is per a positive number of units.");
        }

        Amount = amount;
        PerUnits = perUnits;
    }

    /// <summary>Base units charged for <see cref="PerUnits"/> units.</summary>
    public BigInteger Amount { get; }

    /// <summary>How many units <see cref="Amount"/> buys.</summary>
    public BigInteger PerUnits { get; }

    /// <summary><paramref name="amount"/> per one unit.</summary>
    public static MeterPrice PerUnit(BigInteger amount) => new(amount, BigInteger.One);

    /// <summary>The cost of <paramref name="units"/> in total: ⌈units × amount ÷ perUnits⌉.</summary>
    public BigInteger CostOf(BigInteger units) => CeilingDivide(units * Amount, PerUnits);

    /// <summary>The cost of <paramref name="ticks"/> of time (units are seconds): ⌈ticks × amount ÷ (perUnits × ticks per second)⌉.</summary>
    public BigInteger CostOfTicks(BigInteger ticks) => CeilingDivide(ticks * Amount, PerUnits * TimeSpan.TicksPerSecond);

    private static BigInteger CeilingDivide(BigInteger numerator, BigInteger denominator) =>
        numerator.Sign <= 0 ? BigInteger.Zero : ((numerator - 1) / denominator) + 1;
}

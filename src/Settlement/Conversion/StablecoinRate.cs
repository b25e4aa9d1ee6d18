using System.Numerics;

namespace Settlement.Service.Conversion;

/// <summary>
/// The platform's one fixed GBP ↔ stablecoin rate. The test stablecoin (tGBP, <c>contracts/src/TestStablecoin.sol</c>)
/// has 6 decimals and is issued 1:1 against pounds the platform holds, so
/// <b>1 penny = 10,000 base units</b> (10^6 units per pound / 100 pence per pound).
/// <para>
/// Rounding rule: pence → base units is exact (every penny is a whole number of units). Base units → pence
/// rounds <b>down</b> (towards zero) and reports the remainder in base units: the platform never pays out more
/// GBP than the stablecoin it receives is worth; the remainder (less than a penny) stays with its holder on chain
/// and is still backed, because it is never burned.
/// </para>
/// Every conversion in the system goes through this class; no other code multiplies or divides by the rate.
/// </summary>
public static class StablecoinRate
{
    /// <summary>Decimals of the stablecoin.</summary>
    public const int Decimals = 6;

    /// <summary>Base units per penny: 10^6 units per pound / 100 pence per pound.</summary>
    public const long BaseUnitsPerPenny = 10_000;

    /// <summary>The stablecoin amount, in base units, worth exactly <paramref name="pence"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative pence.</exception>
    public static BigInteger ToBaseUnits(long pence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pence);
        return new BigInteger(pence) * BaseUnitsPerPenny;
    }

    /// <summary>
    /// Whole pence worth of <paramref name="baseUnits"/>, rounded down; <paramref name="remainderBaseUnits"/> is what
    /// did not make a whole penny (0 ≤ remainder &lt; <see cref="BaseUnitsPerPenny"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or more pence than a <see cref="long"/> holds.</exception>
    public static long ToPence(BigInteger baseUnits, out BigInteger remainderBaseUnits)
    {
        if (baseUnits.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baseUnits), "A stablecoin amount is not negative.");
        }

        var pence = BigInteger.DivRem(baseUnits, BaseUnitsPerPenny, out remainderBaseUnits);
        if (pence > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(baseUnits), "The amount is more pence than a 64-bit count holds.");
        }

        return (long)pence;
    }

    /// <summary>Formats pence as pounds, e.g. 2000 → "£20.00" (display only).</summary>
    public static string FormatPounds(long pence)
    {
        var sign = pence < 0 ? "-" : string.Empty;
        var abs = BigInteger.Abs(pence);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sign}£{abs / 100}.{abs % 100:D2}");
    }

    /// <summary>Formats base units as tGBP with all 6 decimals, e.g. 20000000 → "20.000000 tGBP" (display only).</summary>
    public static string FormatTokens(BigInteger baseUnits)
    {
        var sign = baseUnits.Sign < 0 ? "-" : string.Empty;
        var abs = BigInteger.Abs(baseUnits);
        var whole = BigInteger.DivRem(abs, 1_000_000, out var fraction);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sign}{whole}.{fraction:D6} tGBP");
    }
}

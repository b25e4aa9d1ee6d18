using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// JSON-RPC quantities: <c>0x</c>-prefixed hex without leading zeros, zero as <c>0x0</c>
/// (Ethereum JSON-RPC specification, "hex encoding").
/// </summary>
public static class Quantity
{
    /// <summary>Formats a non-negative integer as a quantity.</summary>
    public static string Format(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Quantities are non-negative.");
        }

        if (value.IsZero)
        {
            return "0x0";
        }

        var hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return "0x" + hex;
    }

    /// <summary>Formats a 64-bit integer as a quantity.</summary>
    public static string Format(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Parses a quantity (leading zeros tolerated, as some nodes send them). Never throws.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (text is null || text.Length < 3 || text.Length > 2 + 64 || !Encoding.Hex.HasPrefix(text))
        {
            return false;
        }

        var digits = text.AsSpan(2);
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        // A leading '0' keeps BigInteger from reading the top bit as a sign.
        value = BigInteger.Parse(string.Concat("0", digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Parses a quantity.</summary>
    /// <exception cref="FormatException">Not a quantity.</exception>
    public static BigInteger Parse(string? text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{Shorten(text)}' is not a JSON-RPC quantity (0x-prefixed hex).");

    /// <summary>Parses a quantity that must fit in 64 bits.</summary>
    /// <exception cref="FormatException">Not a quantity, or too large.</exception>
    public static ulong ParseUInt64(string? text)
    {
        var value = Parse(text);
        return value <= ulong.MaxValue ? (ulong)value : throw new FormatException($"Quantity '{Shorten(text)}' does not fit in 64 bits.");
    }

    private static string Shorten(string? text) => text is null ? "null" : text.Length <= 80 ? text : text[..80] + "…";
}

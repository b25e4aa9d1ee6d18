using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Settlement.OpenBanking.Pis;

/// <summary>
/// An amount in minor units of an ISO 4217 currency. OBIE carries amounts as decimal strings
/// (<c>^\d{1,13}$|^\d{1,13}\.\d{1,5}$</c>); conversion is exact or refused, never rounded.
/// </summary>
public readonly record struct Money(long MinorUnits, string Currency)
{
    /// <summary>Minor-unit exponent of a currency (ISO 4217); 2 unless listed.</summary>
    public static int Exponent(string currency) => currency switch
    {
        "JPY" or "KRW" or "ISK" or "CLP" or "VND" or "XAF" or "XOF" or "XPF" or "UGX" or "PYG" or "RWF" or "KMF" or "GNF" or "DJF" or "VUV" => 0,
        "BHD" or "IQD" or "JOD" or "KWD" or "LYD" or "OMR" or "TND" => 3,
        _ => 2,
    };

    /// <summary>The OBIE amount string, e.g. <c>12.05</c>.</summary>
    public string ToObieAmount()
    {
        var exp = Exponent(Currency);
        if (exp == 0)
        {
            return MinorUnits.ToString(CultureInfo.InvariantCulture);
        }

        var divisor = (long)Math.Pow(10, exp);
        var whole = MinorUnits / divisor;
        var frac = MinorUnits % divisor;
        return whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString(CultureInfo.InvariantCulture).PadLeft(exp, '0');
    }

    /// <summary>Parses an OBIE amount string exactly; fails on sign, exponent, excess precision or overflow.</summary>
    public static bool TryParseObie(string? amount, string? currency, [NotNullWhen(true)] out Money? money)
    {
        money = null;
        if (string.IsNullOrEmpty(amount) || currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
        {
            return false;
        }

        var dot = amount.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? amount : amount[..dot];
        var frac = dot < 0 ? "" : amount[(dot + 1)..];
        if (whole.Length is 0 or > 13 || !whole.All(char.IsAsciiDigit) || (dot >= 0 && (frac.Length is 0 or > 5 || !frac.All(char.IsAsciiDigit))))
        {
            return false;
        }

        var exp = Exponent(currency);
        var significant = frac.TrimEnd('0');
        if (significant.Length > exp)
        {
            return false;
        }

        var scaledFrac = significant.PadRight(exp, '0');
        var digits = whole + scaledFrac;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        money = new Money(minor, currency);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{ToObieAmount()} {Currency}";
}

using System.Globalization;

// Independent oracle: the sandbox deliberately carries its own OBIE amount parsing and formatting instead of using
// Settlement.OpenBanking's. It stands for a bank written by someone else from the OBIE spec, so a
// mistake in the connector's copy cannot hide by being made twice. Do not merge the two copies;
// docs/bank-sandbox.md ("An independent oracle").
namespace Settlement.BankSandbox.Payments;

/// <summary>OBIE amount strings ("10.50") to and from pence.</summary>
internal static class Money
{
    /// <summary>Parses a positive GBP amount with at most 2 significant decimals; never throws.</summary>
    public static bool TryParseMinor(string? amount, out long minor)
    {
        minor = 0;
        if (string.IsNullOrEmpty(amount))
        {
            return false;
        }

        var dot = amount.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? amount : amount[..dot];
        var fraction = dot < 0 ? "" : amount[(dot + 1)..];
        if (whole.Length is 0 or > 13 || !whole.All(char.IsAsciiDigit) || (dot >= 0 && (fraction.Length == 0 || !fraction.All(char.IsAsciiDigit))))
        {
            return false;
        }

        if (fraction.Length > 2 && fraction[2..].Any(c => c != '0'))
        {
            return false;
        }

        var pence = (fraction + "00")[..2];
        minor = long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture) * 100
            + long.Parse(pence, NumberStyles.None, CultureInfo.InvariantCulture);
        return minor > 0;
    }

    public static string Format(long minor) =>
        (minor / 100).ToString(CultureInfo.InvariantCulture) + "." + (minor % 100).ToString("00", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}

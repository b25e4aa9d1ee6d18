using System.Diagnostics.CodeAnalysis;

namespace Settlement.Ethereum.Encoding;

/// <summary>
/// Hexadecimal text as Ethereum JSON-RPC uses it: lower-case output with a <c>0x</c> prefix; input
/// accepted with or without the prefix, in either case.
/// </summary>
public static class Hex
{
    /// <summary>Formats bytes as <c>0x</c>-prefixed lower-case hex.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return prefix ? "0x" + hex : hex;
    }

    /// <summary>Parses hex text (optional <c>0x</c>, even number of digits) into bytes.</summary>
    /// <exception cref="FormatException">The text is not hex or has an odd number of digits.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryDecode(text, out var bytes, out var error))
        {
            throw new FormatException(error);
        }

        return bytes;
    }

    /// <summary>Parses hex text without throwing.</summary>
    public static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? bytes) =>
        TryDecode(text, out bytes, out _);

    private static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? bytes, out string error)
    {
        bytes = null;
        if (text is null)
        {
            error = "Hex text is null.";
            return false;
        }

        var digits = HasPrefix(text) ? text.AsSpan(2) : text.AsSpan();
        if (digits.Length % 2 != 0)
        {
            error = $"Hex text has an odd number of digits ({digits.Length}).";
            return false;
        }

        var result = new byte[digits.Length / 2];
        if (Convert.FromHexString(digits, result, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            error = "Hex text contains a character that is not a hex digit.";
            return false;
        }

        bytes = result;
        error = string.Empty;
        return true;
    }

    /// <summary>True when the text starts with <c>0x</c> or <c>0X</c>.</summary>
    public static bool HasPrefix(ReadOnlySpan<char> text) =>
        text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

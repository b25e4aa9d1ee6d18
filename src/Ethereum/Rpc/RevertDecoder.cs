using System.Numerics;
using System.Text;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// Minimal decoding of the two standard Solidity revert payloads, <c>Error(string)</c> (selector
/// 0x08c379a0) and <c>Panic(uint256)</c> (0x4e487b71). Custom errors need the contract ABI.
/// </summary>
internal static class RevertDecoder
{
    private static readonly byte[] ErrorSelector = [0x08, 0xc3, 0x79, 0xa0];
    private static readonly byte[] PanicSelector = [0x4e, 0x48, 0x7b, 0x71];

    /// <summary>The message of an Error(string), "Panic(0x…)" for a panic, otherwise null. Never throws.</summary>
    public static string? TryDescribe(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return null;
        }

        var body = data[4..];
        if (data[..4].SequenceEqual(PanicSelector) && body.Length == 32)
        {
            var code = new BigInteger(body, isUnsigned: true, isBigEndian: true);
            return "Panic(0x" + code.ToString("x2", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0').PadLeft(2, '0') + ")";
        }

        if (!data[..4].SequenceEqual(ErrorSelector) || body.Length < 64 || body.Length % 32 != 0)
        {
            return null;
        }

        // ABI: head word = offset of the string (must be 32), then length, then the padded bytes.
        if (!TryReadWord(body, 0, out var offset) || offset != 32 || !TryReadWord(body, 32, out var length))
        {
            return null;
        }

        if (length > (ulong)(body.Length - 64))
        {
            return null;
        }

        var bytes = body.Slice(64, (int)length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool TryReadWord(ReadOnlySpan<byte> body, int at, out ulong value)
    {
        value = 0;
        var word = body.Slice(at, 32);
        if (word[..24].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        for (var i = 24; i < 32; i++)
        {
            value = (value << 8) | word[i];
        }

        return true;
    }
}

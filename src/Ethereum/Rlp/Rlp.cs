using System.Diagnostics.CodeAnalysis;

namespace Settlement.Ethereum.Rlp;

/// <summary>
/// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B). Decoding is strict: only the
/// one canonical encoding of an item is accepted, so two different byte strings never decode to the
/// same item (transaction hashes depend on that).
/// </summary>
public static class Rlp
{
    /// <summary>Deepest list nesting the decoder accepts; deeper input is rejected, not recursed into.</summary>
    public const int MaxDepth = 64;

    /// <summary>Encodes an item.</summary>
    public static byte[] Encode(RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var length = EncodedLength(item);
        var output = new byte[length];
        var written = Write(item, output);
        System.Diagnostics.Debug.Assert(written == length, "RLP length computation and writer disagree.");
        return output;
    }

    /// <summary>Encodes a byte string item.</summary>
    public static byte[] EncodeBytes(ReadOnlySpan<byte> bytes) => Encode(RlpItem.FromBytes(bytes));

    /// <summary>Decodes exactly one item spanning all of <paramref name="input"/>.</summary>
    /// <exception cref="FormatException">The input is not one canonical RLP item.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> input)
    {
        if (!TryDecode(input, out var item, out var error))
        {
            throw new FormatException("Invalid RLP: " + error);
        }

        return item;
    }

    /// <summary>Decodes exactly one item spanning all of <paramref name="input"/>. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, [NotNullWhen(true)] out RlpItem? item) =>
        TryDecode(input, out item, out _);

    /// <summary>Decodes exactly one item, reporting why it failed. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, [NotNullWhen(true)] out RlpItem? item, out string error)
    {
        item = null;
        if (input.IsEmpty)
        {
            error = "input is empty";
            return false;
        }

        if (!TryReadItem(input, 0, out item, out var consumed, out error))
        {
            item = null;
            return false;
        }

        if (consumed != input.Length)
        {
            item = null;
            error = $"{input.Length - consumed} trailing byte(s) after the item";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads the header of the item at the start of <paramref name="input"/>: whether it is a list,
    /// where its payload starts and how long the payload is. Rejects non-canonical headers. Never throws.
    /// </summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> input, out bool isList, out int payloadOffset, out int payloadLength, out string error)
    {
        isList = false;
        payloadOffset = 0;
        payloadLength = 0;
        if (input.IsEmpty)
        {
            error = "unexpected end of input";
            return false;
        }

        var prefix = input[0];
        if (prefix < 0x80)
        {
            // A single byte below 0x80 is its own encoding.
            payloadLength = 1;
            error = string.Empty;
            return true;
        }

        if (prefix <= 0xb7)
        {
            payloadOffset = 1;
            payloadLength = prefix - 0x80;
            if (payloadLength > input.Length - 1)
            {
                error = "string runs past the end of the input";
                return false;
            }

            if (payloadLength == 1 && input[1] < 0x80)
            {
                error = "single byte below 0x80 encoded as a string";
                return false;
            }

            error = string.Empty;
            return true;
        }

        if (prefix <= 0xbf)
        {
            return TryReadLongLength(input, prefix - 0xb7, out payloadOffset, out payloadLength, out error);
        }

        isList = true;
        if (prefix <= 0xf7)
        {
            payloadOffset = 1;
            payloadLength = prefix - 0xc0;
            if (payloadLength > input.Length - 1)
            {
                error = "list runs past the end of the input";
                return false;
            }

            error = string.Empty;
            return true;
        }

        return TryReadLongLength(input, prefix - 0xf7, out payloadOffset, out payloadLength, out error);
    }

    private static bool TryReadLongLength(ReadOnlySpan<byte> input, int lengthOfLength, out int payloadOffset, out int payloadLength, out string error)
    {
        payloadOffset = 1 + lengthOfLength;
        payloadLength = 0;
        if (lengthOfLength > input.Length - 1)
        {
            error = "length prefix runs past the end of the input";
            return false;
        }

        if (input[1] == 0)
        {
            error = "length has a leading zero byte";
            return false;
        }

        if (lengthOfLength > 4)
        {
            error = "length does not fit in 32 bits";
            return false;
        }

        ulong length = 0;
        for (var i = 0; i < lengthOfLength; i++)
        {
            length = (length << 8) | input[1 + i];
        }

        if (length < 56)
        {
            error = "payload shorter than 56 bytes given in long form";
            return false;
        }

        if (length > (ulong)(input.Length - payloadOffset))
        {
            error = "payload runs past the end of the input";
            return false;
        }

        payloadLength = (int)length;
        error = string.Empty;
        return true;
    }

    private static bool TryReadItem(ReadOnlySpan<byte> input, int depth, [NotNullWhen(true)] out RlpItem? item, out int consumed, out string error)
    {
        item = null;
        consumed = 0;
        if (!TryReadHeader(input, out var isList, out var offset, out var length, out error))
        {
            return false;
        }

        consumed = offset + length;
        var payload = input.Slice(offset, length);
        if (!isList)
        {
            item = RlpItem.FromBytes(payload);
            return true;
        }

        if (depth >= MaxDepth)
        {
            error = $"lists nested deeper than {MaxDepth}";
            return false;
        }

        var children = new List<RlpItem>();
        while (!payload.IsEmpty)
        {
            if (!TryReadItem(payload, depth + 1, out var child, out var used, out error))
            {
                return false;
            }

            children.Add(child);
            payload = payload[used..];
        }

        item = RlpItem.List(children);
        return true;
    }

    private static int EncodedLength(RlpItem item)
    {
        var payload = PayloadLength(item);
        if (!item.IsList && payload == 1 && item.Bytes[0] < 0x80)
        {
            return 1;
        }

        return HeaderLength(payload) + payload;
    }

    private static int PayloadLength(RlpItem item)
    {
        if (!item.IsList)
        {
            return item.Bytes.Length;
        }

        var total = 0;
        foreach (var child in item.Items)
        {
            total = checked(total + EncodedLength(child));
        }

        return total;
    }

    private static int HeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + BytesOfLength(payloadLength);

    private static int BytesOfLength(int length)
    {
        var count = 0;
        for (var v = (uint)length; v != 0; v >>= 8)
        {
            count++;
        }

        return count;
    }

    private static int Write(RlpItem item, Span<byte> output)
    {
        if (!item.IsList)
        {
            var bytes = item.Bytes;
            if (bytes.Length == 1 && bytes[0] < 0x80)
            {
                output[0] = bytes[0];
                return 1;
            }

            var header = WriteHeader(output, bytes.Length, 0x80);
            bytes.CopyTo(output[header..]);
            return header + bytes.Length;
        }

        var payloadLength = PayloadLength(item);
        var written = WriteHeader(output, payloadLength, 0xc0);
        foreach (var child in item.Items)
        {
            written += Write(child, output[written..]);
        }

        return written;
    }

    private static int WriteHeader(Span<byte> output, int payloadLength, byte shortBase)
    {
        if (payloadLength < 56)
        {
            output[0] = (byte)(shortBase + payloadLength);
            return 1;
        }

        var n = BytesOfLength(payloadLength);
        output[0] = (byte)(shortBase + 55 + n);
        for (var i = 0; i < n; i++)
        {
            output[n - i] = (byte)(payloadLength >> (8 * i));
        }

        return 1 + n;
    }
}

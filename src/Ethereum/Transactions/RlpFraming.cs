namespace Settlement.Ethereum.Transactions;

/// <summary>
/// Checks the framing of untrusted RLP bytes before <c>Nethereum.RLP.RLP.Decode</c> sees them. That
/// decoder is lenient and unguarded: it accepts non-canonical headers, silently ignores bytes after
/// the first item, reports every failure as a bare <see cref="Exception"/>, and recurses once per
/// nesting level with no limit, copying the rest of the input at each level (measured with 6.1.0:
/// 80 kB of nested lists take 4 s and 1.6 GB; 200 kB abort the process with a stack overflow after
/// 58 s and 9.5 GB). This walk reads headers only (it builds no items and decodes no
/// values): exactly one item spanning the input, every length inside its parent, the one canonical
/// header for every length (Yellow Paper, appendix B), and a bounded nesting depth. Input that
/// passes cannot make Nethereum's decoder throw or recurse deeply. Never throws.
/// </summary>
internal static class RlpFraming
{
    /// <summary>Checks that <paramref name="input"/> is exactly one canonically framed item nested at most <paramref name="maxDepth"/> lists deep.</summary>
    public static bool TryCheck(ReadOnlySpan<byte> input, int maxDepth, out string error)
    {
        if (input.IsEmpty)
        {
            error = "input is empty";
            return false;
        }

        if (!TryCheckItem(input, 0, maxDepth, out var consumed, out error))
        {
            return false;
        }

        if (consumed != input.Length)
        {
            error = $"{input.Length - consumed} trailing byte(s) after the item";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads the header of the item at the start of <paramref name="input"/>: whether it is a list,
    /// where its payload starts and how long it is. Rejects non-canonical headers. Never throws.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> input, out bool isList, out int payloadOffset, out int payloadLength, out string error)
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

        // Bounded by the input length, so Nethereum's int arithmetic on the same header cannot overflow.
        if (length > (ulong)(input.Length - payloadOffset))
        {
            error = "payload runs past the end of the input";
            return false;
        }

        payloadLength = (int)length;
        error = string.Empty;
        return true;
    }

    private static bool TryCheckItem(ReadOnlySpan<byte> input, int depth, int maxDepth, out int consumed, out string error)
    {
        consumed = 0;
        if (!TryReadHeader(input, out var isList, out var offset, out var length, out error))
        {
            return false;
        }

        consumed = offset + length;
        if (!isList)
        {
            return true;
        }

        if (depth >= maxDepth)
        {
            error = $"lists nested deeper than {maxDepth}";
            return false;
        }

        var payload = input.Slice(offset, length);
        while (!payload.IsEmpty)
        {
            if (!TryCheckItem(payload, depth + 1, maxDepth, out var used, out error))
            {
                return false;
            }

            payload = payload[used..];
        }

        return true;
    }
}

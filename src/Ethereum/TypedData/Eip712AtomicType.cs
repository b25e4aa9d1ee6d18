using System.Numerics;

namespace Settlement.Ethereum.TypedData;

/// <summary>
/// An EIP-712 atomic or dynamic member type (EIP-712, "Definition of typed structured data"): <c>uintN</c>,
/// <c>intN</c>, <c>bytesN</c>, <c>address</c>, <c>bool</c>, <c>bytes</c>, <c>string</c>. Kept here because
/// Nethereum's JSON typed-data path throws on arrays of these (see docs/ethereum.md).
/// </summary>
internal readonly record struct Eip712AtomicType(Eip712AtomicKind Kind, int Size)
{
    /// <summary>Parses a type name; null when it is not an atomic or dynamic type (a struct or an array).</summary>
    public static Eip712AtomicType? Parse(ReadOnlySpan<char> name)
    {
        switch (name)
        {
            case "address": return new(Eip712AtomicKind.Address, 20);
            case "bool": return new(Eip712AtomicKind.Bool, 1);
            case "bytes": return new(Eip712AtomicKind.Bytes, 0);
            case "string": return new(Eip712AtomicKind.String, 0);
            case "uint": return new(Eip712AtomicKind.UInt, 256);
            case "int": return new(Eip712AtomicKind.Int, 256);
        }

        if (name.StartsWith("uint") && TryParseDecimal(name[4..], out var ub) && IsValidBits(ub))
        {
            return new(Eip712AtomicKind.UInt, ub);
        }

        if (name.StartsWith("int") && TryParseDecimal(name[3..], out var ib) && IsValidBits(ib))
        {
            return new(Eip712AtomicKind.Int, ib);
        }

        if (name.StartsWith("bytes") && TryParseDecimal(name[5..], out var n) && n is >= 1 and <= 32)
        {
            return new(Eip712AtomicKind.FixedBytes, n);
        }

        return null;
    }

    /// <summary>Writes a value known to fit 256 bits (two's complement) as a big-endian 32-byte word.</summary>
    public static void WriteWord(BigInteger value, Span<byte> word)
    {
        var count = value.GetByteCount(isUnsigned: value.Sign >= 0);
        word[..(32 - count)].Fill(value.Sign < 0 ? (byte)0xFF : (byte)0);
        value.TryWriteBytes(word[(32 - count)..32], out _, isUnsigned: value.Sign >= 0, isBigEndian: true);
    }

    private static bool IsValidBits(int bits) => bits is >= 8 and <= 256 && bits % 8 == 0;

    // Canonical decimal: 1–3 digits, no leading zero.
    private static bool TryParseDecimal(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.Length is 0 or > 3 || digits[0] == '0')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}

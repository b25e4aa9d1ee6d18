using System.Globalization;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// A Solidity ABI type. Values map to .NET as: uintN/intN ↔ <see cref="System.Numerics.BigInteger"/>,
/// address ↔ <see cref="Addresses.Address"/>, bool ↔ <see cref="bool"/>, bytesN/bytes ↔ <c>byte[]</c>,
/// string ↔ <see cref="string"/>, arrays and tuples ↔ <c>object?[]</c>.
/// </summary>
public sealed class AbiType : IEquatable<AbiType>
{
    private static readonly AbiType[] UIntTypes = CreateSized(AbiTypeKind.UInt);
    private static readonly AbiType[] IntTypes = CreateSized(AbiTypeKind.Int);
    private static readonly AbiType[] FixedBytesTypes = CreateFixedBytes();

    private AbiType(AbiTypeKind kind, int size, AbiType? element, IReadOnlyList<AbiParameter> components)
    {
        Kind = kind;
        Size = size;
        ElementType = element;
        Components = components;
        IsDynamic = kind switch
        {
            AbiTypeKind.Bytes or AbiTypeKind.String or AbiTypeKind.Array => true,
            AbiTypeKind.FixedArray => element!.IsDynamic,
            AbiTypeKind.Tuple => components.Any(c => c.Type.IsDynamic),
            _ => false,
        };
        HeadSize = IsDynamic ? 32 : kind switch
        {
            AbiTypeKind.FixedArray => checked(element!.HeadSize * size),
            AbiTypeKind.Tuple => components.Sum(c => c.Type.HeadSize),
            _ => 32,
        };
        CanonicalName = kind switch
        {
            AbiTypeKind.UInt => "uint" + size.ToString(CultureInfo.InvariantCulture),
            AbiTypeKind.Int => "int" + size.ToString(CultureInfo.InvariantCulture),
            AbiTypeKind.Address => "address",
            AbiTypeKind.Bool => "bool",
            AbiTypeKind.FixedBytes => "bytes" + size.ToString(CultureInfo.InvariantCulture),
            AbiTypeKind.Bytes => "bytes",
            AbiTypeKind.String => "string",
            AbiTypeKind.Array => element!.CanonicalName + "[]",
            AbiTypeKind.FixedArray => element!.CanonicalName + "[" + size.ToString(CultureInfo.InvariantCulture) + "]",
            _ => "(" + string.Join(",", components.Select(c => c.Type.CanonicalName)) + ")",
        };
    }

    /// <summary>The kind of type.</summary>
    public AbiTypeKind Kind { get; }

    /// <summary>Bits for uintN/intN, bytes for bytesN, the length for T[k]; 0 otherwise.</summary>
    public int Size { get; }

    /// <summary>The element type of an array; null otherwise.</summary>
    public AbiType? ElementType { get; }

    /// <summary>The components of a tuple; empty otherwise.</summary>
    public IReadOnlyList<AbiParameter> Components { get; }

    /// <summary>Whether the encoding is dynamic (placed in the tail behind an offset).</summary>
    public bool IsDynamic { get; }

    /// <summary>Bytes the value takes in the head of an enclosing tuple (32 for dynamic types).</summary>
    public int HeadSize { get; }

    /// <summary>The canonical type name used in signatures, e.g. <c>(address,uint256)[]</c>.</summary>
    public string CanonicalName { get; }

    /// <summary><c>address</c>.</summary>
    public static AbiType Address { get; } = new(AbiTypeKind.Address, 0, null, []);

    /// <summary><c>bool</c>.</summary>
    public static AbiType Bool { get; } = new(AbiTypeKind.Bool, 0, null, []);

    /// <summary><c>bytes</c>.</summary>
    public static AbiType Bytes { get; } = new(AbiTypeKind.Bytes, 0, null, []);

    /// <summary><c>string</c>.</summary>
    public static AbiType String { get; } = new(AbiTypeKind.String, 0, null, []);

    /// <summary><c>uint256</c>.</summary>
    public static AbiType UInt256 => UIntTypes[31];

    /// <summary><c>bytes32</c>.</summary>
    public static AbiType Bytes32 => FixedBytesTypes[31];

    /// <summary><c>uintN</c>.</summary>
    /// <param name="bits">N: 8…256, a multiple of 8.</param>
    public static AbiType UInt(int bits) => UIntTypes[CheckBits(bits)];

    /// <summary><c>intN</c>.</summary>
    /// <param name="bits">N: 8…256, a multiple of 8.</param>
    public static AbiType Int(int bits) => IntTypes[CheckBits(bits)];

    /// <summary><c>bytesN</c>.</summary>
    /// <param name="length">N: 1…32.</param>
    public static AbiType FixedBytes(int length)
    {
        if (length is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "bytesN needs 1 ≤ N ≤ 32.");
        }

        return FixedBytesTypes[length - 1];
    }

    /// <summary><c>T[]</c>.</summary>
    /// <param name="element">The element type.</param>
    public static AbiType ArrayOf(AbiType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new AbiType(AbiTypeKind.Array, 0, element, []);
    }

    /// <summary><c>T[k]</c>.</summary>
    /// <param name="element">The element type.</param>
    /// <param name="length">k ≥ 1.</param>
    public static AbiType FixedArrayOf(AbiType element, int length)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (length < 1 || (long)element.HeadSize * length > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Fixed array length must be ≥ 1 and its encoding at most 16 MiB.");
        }

        return new AbiType(AbiTypeKind.FixedArray, length, element, []);
    }

    /// <summary>A tuple of the given components.</summary>
    /// <param name="components">The components, in order.</param>
    public static AbiType Tuple(IEnumerable<AbiParameter> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return new AbiType(AbiTypeKind.Tuple, 0, null, components.ToArray());
    }

    /// <summary>A tuple of unnamed components.</summary>
    /// <param name="components">The component types, in order.</param>
    public static AbiType Tuple(params AbiType[] components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return Tuple(components.Select(t => new AbiParameter(string.Empty, t)));
    }

    /// <summary>
    /// Parses a type: <c>uint256</c>, <c>bytes32[2][]</c>, <c>(address,(bool,string)[])</c>,
    /// <c>tuple(address to, uint256 amount)[]</c>. <c>uint</c>/<c>int</c> mean uint256/int256.
    /// </summary>
    /// <param name="text">The type text.</param>
    /// <exception cref="FormatException">The text is not a valid type.</exception>
    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return AbiSignatureParser.ParseType(text);
    }

    /// <summary>Parses a type, returning false instead of throwing.</summary>
    /// <param name="text">The type text.</param>
    /// <param name="type">The type, when valid.</param>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiType? type)
    {
        type = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            type = AbiSignatureParser.ParseType(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Parses an elementary type name (no tuples, no arrays); null when unknown.</summary>
    internal static AbiType? ParseElementary(ReadOnlySpan<char> name)
    {
        switch (name)
        {
            case "address": return Address;
            case "bool": return Bool;
            case "bytes": return Bytes;
            case "string": return String;
            case "uint": return UInt256;
            case "int": return IntTypes[31];
        }

        if (name.StartsWith("uint") && TryParseDecimal(name[4..], out var ub) && IsValidBits(ub))
        {
            return UIntTypes[(ub / 8) - 1];
        }

        if (name.StartsWith("int") && TryParseDecimal(name[3..], out var ib) && IsValidBits(ib))
        {
            return IntTypes[(ib / 8) - 1];
        }

        if (name.StartsWith("bytes") && TryParseDecimal(name[5..], out var n) && n is >= 1 and <= 32)
        {
            return FixedBytesTypes[n - 1];
        }

        return null;
    }

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

    private static bool IsValidBits(int bits) => bits is >= 8 and <= 256 && bits % 8 == 0;

    private static int CheckBits(int bits)
    {
        if (!IsValidBits(bits))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Integer width must be 8…256 and a multiple of 8.");
        }

        return (bits / 8) - 1;
    }

    private static AbiType[] CreateSized(AbiTypeKind kind)
    {
        var result = new AbiType[32];
        for (var i = 0; i < 32; i++)
        {
            result[i] = new AbiType(kind, (i + 1) * 8, null, []);
        }

        return result;
    }

    private static AbiType[] CreateFixedBytes()
    {
        var result = new AbiType[32];
        for (var i = 0; i < 32; i++)
        {
            result[i] = new AbiType(AbiTypeKind.FixedBytes, i + 1, null, []);
        }

        return result;
    }

    /// <summary>Types are equal when their canonical names are (component names are ignored).</summary>
    /// <param name="other">The other type.</param>
    public bool Equals(AbiType? other) => other is not null && CanonicalName == other.CanonicalName;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AbiType);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalName);

    /// <summary>The canonical name.</summary>
    public override string ToString() => CanonicalName;
}

using System.Collections;
using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// Solidity ABI encoder (Solidity ABI specification, "Formal Specification of the Encoding").
/// Two passes: the exact size first, then one write into a single buffer.
/// </summary>
public static class AbiEncoder
{
    private static readonly BigInteger TwoTo256 = BigInteger.One << 256;

    /// <summary>Encodes values as the tuple <c>(types…)</c>, as in call data after the selector.</summary>
    /// <param name="types">The types.</param>
    /// <param name="values">One value per type (see <see cref="AbiType"/> for the value mapping).</param>
    /// <exception cref="ArgumentException">A value does not fit its type.</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
        {
            throw new ArgumentException($"Expected {types.Count} values, got {values.Count}.", nameof(values));
        }

        var size = TupleSize(types, values);
        var result = new byte[size];
        WriteTuple(types, values, result);
        return result;
    }

    /// <summary>Encodes parameters' values as a tuple.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="values">One value per parameter.</param>
    public static byte[] Encode(IReadOnlyList<AbiParameter> parameters, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Encode(parameters.Select(p => p.Type).ToArray(), values);
    }

    /// <summary>Encodes one value as the one-element tuple <c>(type)</c>.</summary>
    /// <param name="type">The type.</param>
    /// <param name="value">The value.</param>
    public static byte[] Encode(AbiType type, object? value) => Encode([type], [value]);

    /// <summary>Writes the encoding of a tuple prefixed by <paramref name="prefix"/> (e.g. a selector).</summary>
    internal static byte[] EncodeWithPrefix(ReadOnlySpan<byte> prefix, IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count)
        {
            throw new ArgumentException($"Expected {types.Count} values, got {values.Count}.", nameof(values));
        }

        var size = TupleSize(types, values);
        var result = new byte[prefix.Length + size];
        prefix.CopyTo(result);
        WriteTuple(types, values, result.AsSpan(prefix.Length));
        return result;
    }

    /// <summary>Writes one 32-byte word for a static elementary value (an event topic).</summary>
    internal static void WriteElementary(AbiType type, object? value, Span<byte> word32) => Write(type, value, word32);

    /// <summary>Solidity's in-place encoding used to hash indexed array/tuple event parameters.</summary>
    internal static void WriteInPlace(AbiType type, object? value, List<byte> output)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
            case AbiTypeKind.String:
            {
                var bytes = type.Kind == AbiTypeKind.String ? System.Text.Encoding.UTF8.GetBytes(AsString(value)) : AsBytes(value, type);
                output.AddRange(bytes);
                output.AddRange(new byte[Pad32(bytes.Length) - bytes.Length]);
                break;
            }

            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
            {
                var items = AsList(value, type);
                if (type.Kind == AbiTypeKind.FixedArray)
                {
                    CheckFixedLength(type, items);
                }

                foreach (var item in items)
                {
                    WriteInPlace(type.ElementType!, item, output);
                }

                break;
            }

            case AbiTypeKind.Tuple:
            {
                var items = AsList(value, type);
                CheckTupleLength(type, items);
                for (var i = 0; i < items.Count; i++)
                {
                    WriteInPlace(type.Components[i].Type, items[i], output);
                }

                break;
            }

            default:
            {
                var word = new byte[32];
                Write(type, value, word);
                output.AddRange(word);
                break;
            }
        }
    }

    private static int TupleSize(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        var size = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var t = types[i];
            size = checked(size + (t.IsDynamic ? 32 + Size(t, values[i]) : t.HeadSize));
        }

        return size;
    }

    private static int TupleSize(AbiType element, IList items)
    {
        if (!element.IsDynamic)
        {
            return checked(element.HeadSize * items.Count);
        }

        var size = 0;
        foreach (var item in items)
        {
            size = checked(size + 32 + Size(element, item));
        }

        return size;
    }

    /// <summary>The size of a value's encoding (its tail for dynamic types).</summary>
    private static int Size(AbiType type, object? value)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
                return checked(32 + Pad32(AsBytesLength(value, type)));
            case AbiTypeKind.String:
                return checked(32 + Pad32(System.Text.Encoding.UTF8.GetByteCount(AsString(value))));
            case AbiTypeKind.Array:
                return checked(32 + TupleSize(type.ElementType!, AsList(value, type)));
            case AbiTypeKind.FixedArray:
            {
                if (!type.IsDynamic)
                {
                    return type.HeadSize;
                }

                var items = AsList(value, type);
                CheckFixedLength(type, items);
                return TupleSize(type.ElementType!, items);
            }

            case AbiTypeKind.Tuple:
            {
                if (!type.IsDynamic)
                {
                    return type.HeadSize;
                }

                var items = AsList(value, type);
                CheckTupleLength(type, items);
                var size = 0;
                for (var i = 0; i < items.Count; i++)
                {
                    var t = type.Components[i].Type;
                    size = checked(size + (t.IsDynamic ? 32 + Size(t, items[i]) : t.HeadSize));
                }

                return size;
            }

            default:
                return 32;
        }
    }

    private static void WriteTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, Span<byte> destination)
    {
        var head = 0;
        for (var i = 0; i < types.Count; i++)
        {
            head += types[i].HeadSize;
        }

        var tail = head;
        var pos = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var t = types[i];
            if (t.IsDynamic)
            {
                WriteUInt(destination.Slice(pos, 32), (ulong)tail);
                tail += Write(t, values[i], destination[tail..]);
                pos += 32;
            }
            else
            {
                pos += Write(t, values[i], destination[pos..]);
            }
        }
    }

    private static int WriteElements(AbiType element, IList items, Span<byte> destination)
    {
        if (!element.IsDynamic)
        {
            var pos = 0;
            foreach (var item in items)
            {
                pos += Write(element, item, destination[pos..]);
            }

            return pos;
        }

        var tail = 32 * items.Count;
        var head = 0;
        foreach (var item in items)
        {
            WriteUInt(destination.Slice(head, 32), (ulong)tail);
            tail += Write(element, item, destination[tail..]);
            head += 32;
        }

        return tail;
    }

    /// <summary>Writes a value's encoding (its tail for dynamic types); returns the bytes written.</summary>
    private static int Write(AbiType type, object? value, Span<byte> destination)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.UInt:
            case AbiTypeKind.Int:
                WriteInteger(type, value, destination[..32]);
                return 32;
            case AbiTypeKind.Address:
            {
                var address = value switch
                {
                    Address a => a,
                    string s when Address.TryParse(s, out var parsed) => parsed,
                    _ => throw Mismatch(type, value),
                };
                destination[..12].Clear();
                address.Bytes.CopyTo(destination[12..32]);
                return 32;
            }

            case AbiTypeKind.Bool:
                destination[..31].Clear();
                destination[31] = value is bool b ? (b ? (byte)1 : (byte)0) : throw Mismatch(type, value);
                return 32;
            case AbiTypeKind.FixedBytes:
            {
                var bytes = AsBytesSpan(value, type);
                if (bytes.Length != type.Size)
                {
                    throw new ArgumentException($"{type.CanonicalName} needs exactly {type.Size} bytes, got {bytes.Length}.");
                }

                bytes.CopyTo(destination);
                destination[bytes.Length..32].Clear();
                return 32;
            }

            case AbiTypeKind.Bytes:
                return WriteBytes(AsBytesSpan(value, type), destination);
            case AbiTypeKind.String:
            {
                var text = AsString(value);
                var length = System.Text.Encoding.UTF8.GetBytes(text, destination[32..]);
                WriteUInt(destination[..32], (ulong)length);
                var padded = Pad32(length);
                destination.Slice(32 + length, padded - length).Clear();
                return 32 + padded;
            }

            case AbiTypeKind.Array:
            {
                var items = AsList(value, type);
                WriteUInt(destination[..32], (ulong)items.Count);
                return 32 + WriteElements(type.ElementType!, items, destination[32..]);
            }

            case AbiTypeKind.FixedArray:
            {
                var items = AsList(value, type);
                CheckFixedLength(type, items);
                return WriteElements(type.ElementType!, items, destination);
            }

            default:
            {
                var items = AsList(value, type);
                CheckTupleLength(type, items);
                var head = type.IsDynamic ? type.Components.Sum(c => c.Type.HeadSize) : type.HeadSize;
                var tail = head;
                var pos = 0;
                for (var i = 0; i < items.Count; i++)
                {
                    var t = type.Components[i].Type;
                    if (t.IsDynamic)
                    {
                        WriteUInt(destination.Slice(pos, 32), (ulong)tail);
                        tail += Write(t, items[i], destination[tail..]);
                        pos += 32;
                    }
                    else
                    {
                        pos += Write(t, items[i], destination[pos..]);
                    }
                }

                return tail;
            }
        }
    }

    private static int WriteBytes(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        WriteUInt(destination[..32], (ulong)bytes.Length);
        bytes.CopyTo(destination[32..]);
        var padded = Pad32(bytes.Length);
        destination.Slice(32 + bytes.Length, padded - bytes.Length).Clear();
        return 32 + padded;
    }

    private static void WriteInteger(AbiType type, object? value, Span<byte> word)
    {
        var v = ToBigInteger(value) ?? throw Mismatch(type, value);
        var bits = type.Size;
        if (type.Kind == AbiTypeKind.UInt)
        {
            if (v.Sign < 0 || (bits < 256 ? v >> bits != 0 : v >= TwoTo256))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Value is out of range for {type.CanonicalName}.");
            }
        }
        else
        {
            var limit = BigInteger.One << (bits - 1);
            if (v >= limit || v < -limit)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Value is out of range for {type.CanonicalName}.");
            }
        }

        WriteBigInteger(v, word);
    }

    /// <summary>Writes a value known to fit 256 bits (two's complement) as a big-endian word.</summary>
    internal static void WriteBigInteger(BigInteger value, Span<byte> word)
    {
        var count = value.GetByteCount(isUnsigned: value.Sign >= 0);
        word[..(32 - count)].Fill(value.Sign < 0 ? (byte)0xFF : (byte)0);
        value.TryWriteBytes(word[(32 - count)..32], out _, isUnsigned: value.Sign >= 0, isBigEndian: true);
    }

    internal static void WriteUInt(Span<byte> word, ulong value)
    {
        word[..24].Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(word[24..32], value);
    }

    private static int Pad32(int length) => checked((length + 31) & ~31);

    internal static BigInteger? ToBigInteger(object? value) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        short s => s,
        ushort us => us,
        byte by => by,
        sbyte sb => sb,
        Int128 i128 => (BigInteger)i128,
        UInt128 u128 => (BigInteger)u128,
        _ => null,
    };

    private static string AsString(object? value) =>
        value as string ?? throw new ArgumentException($"Expected a string for an ABI string, got {Describe(value)}.");

    private static byte[] AsBytes(object? value, AbiType type) => AsBytesSpan(value, type).ToArray();

    private static int AsBytesLength(object? value, AbiType type) => AsBytesSpan(value, type).Length;

    private static ReadOnlySpan<byte> AsBytesSpan(object? value, AbiType type) => value switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> rom => rom.Span,
        Memory<byte> mem => mem.Span,
        _ => throw Mismatch(type, value),
    };

    private static IList AsList(object? value, AbiType type) => value switch
    {
        IList list when value is not byte[] && value is not string => list,
        _ => throw Mismatch(type, value),
    };

    private static void CheckFixedLength(AbiType type, IList items)
    {
        if (items.Count != type.Size)
        {
            throw new ArgumentException($"{type.CanonicalName} needs {type.Size} elements, got {items.Count}.");
        }
    }

    private static void CheckTupleLength(AbiType type, IList items)
    {
        if (items.Count != type.Components.Count)
        {
            throw new ArgumentException($"{type.CanonicalName} needs {type.Components.Count} components, got {items.Count}.");
        }
    }

    private static ArgumentException Mismatch(AbiType type, object? value) =>
        new($"Cannot encode {Describe(value)} as {type.CanonicalName}.");

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// Strict Solidity ABI decoder for untrusted data. Rejects: offsets or lengths outside the data,
/// dirty high bits in uintN/intN/address/bool and non-zero padding in bytesN, invalid UTF-8, and
/// encodings whose parts overlap so that decoding would read more bytes than the data holds
/// (the guard against small inputs expanding into huge allocations). Trailing bytes are allowed,
/// as the EVM allows them in call and return data.
/// </summary>
public static class AbiDecoder
{
    /// <summary>Decodes the tuple <c>(types…)</c>.</summary>
    /// <param name="types">The types.</param>
    /// <param name="data">The encoding.</param>
    /// <exception cref="FormatException">The data is not a valid encoding; the message says why.</exception>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        return TryDecode(types, data, out var values, out var error) ? values : throw new FormatException(error);
    }

    /// <summary>Decodes the tuple <c>(types…)</c>; never throws on bad data.</summary>
    /// <param name="types">The types.</param>
    /// <param name="data">The encoding.</param>
    /// <param name="values">The values on success.</param>
    public static bool TryDecode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? values) =>
        TryDecode(types, data, out values, out _);

    /// <summary>Decodes the tuple <c>(types…)</c>; never throws on bad data.</summary>
    /// <param name="types">The types.</param>
    /// <param name="data">The encoding.</param>
    /// <param name="values">The values on success.</param>
    /// <param name="error">Why decoding failed.</param>
    public static bool TryDecode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? values, out string error)
    {
        ArgumentNullException.ThrowIfNull(types);
        var reader = new Reader(data);
        values = new object?[types.Count];
        if (!reader.TryReadTuple(types, 0, values, out error))
        {
            values = null;
            return false;
        }

        return true;
    }

    /// <summary>Decodes one value encoded as the one-element tuple <c>(type)</c>.</summary>
    /// <param name="type">The type.</param>
    /// <param name="data">The encoding.</param>
    /// <exception cref="FormatException">The data is not a valid encoding.</exception>
    public static object? Decode(AbiType type, ReadOnlySpan<byte> data) => Decode([type], data)[0];

    /// <summary>Decodes one static elementary value from a 32-byte word (an event topic).</summary>
    internal static bool TryDecodeWord(AbiType type, ReadOnlySpan<byte> word, out object? value, out string error)
    {
        var reader = new Reader(word);
        return reader.TryReadValue(type, 0, out value, out error);
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private long _budget;

        public Reader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _budget = data.Length;
        }

        public bool TryReadTuple(IReadOnlyList<AbiType> types, int start, object?[] values, out string error)
        {
            var head = start;
            for (var i = 0; i < types.Count; i++)
            {
                var t = types[i];
                if (!TryReadComponent(t, start, ref head, out values[i], out error))
                {
                    return false;
                }
            }

            error = string.Empty;
            return true;
        }

        private bool TryReadTuple(AbiType type, int start, out object? value, out string error)
        {
            var values = new object?[type.Components.Count];
            value = null;
            var head = start;
            for (var i = 0; i < values.Length; i++)
            {
                if (!TryReadComponent(type.Components[i].Type, start, ref head, out values[i], out error))
                {
                    return false;
                }
            }

            value = values;
            error = string.Empty;
            return true;
        }

        private bool TryReadElements(AbiType element, int count, int start, out object? value, out string error)
        {
            value = null;
            var values = new object?[count];
            var head = start;
            for (var i = 0; i < count; i++)
            {
                if (!TryReadComponent(element, start, ref head, out values[i], out error))
                {
                    return false;
                }
            }

            value = values;
            error = string.Empty;
            return true;
        }

        /// <summary>Reads one component of a tuple whose encoding starts at <paramref name="start"/>.</summary>
        private bool TryReadComponent(AbiType type, int start, ref int head, out object? value, out string error)
        {
            value = null;
            if (!type.IsDynamic)
            {
                if (!TryReadValue(type, head, out value, out error))
                {
                    return false;
                }

                head += type.HeadSize;
                return true;
            }

            if (!TryReadSmall(head, out var offset, out error))
            {
                return false;
            }

            head += 32;
            var at = (long)start + offset;
            if (at >= _data.Length)
            {
                error = $"Offset {offset} of a {type.CanonicalName} points outside the data.";
                return false;
            }

            return TryReadValue(type, (int)at, out value, out error);
        }

        /// <summary>Reads a 32-byte word as a length or offset that must be below the data length.</summary>
        private bool TryReadSmall(int position, out int result, out string error)
        {
            result = 0;
            if (!TryCharge(position, 32, out error))
            {
                return false;
            }

            var word = _data.Slice(position, 32);
            if (word[..24].ContainsAnyExcept((byte)0))
            {
                error = $"Offset or length at {position} is too large.";
                return false;
            }

            var v = BinaryPrimitives.ReadUInt64BigEndian(word[24..]);
            if (v > (ulong)_data.Length)
            {
                error = $"Offset or length {v} at {position} exceeds the data length {_data.Length}.";
                return false;
            }

            result = (int)v;
            return true;
        }

        /// <summary>Accounts for reading <paramref name="length"/> bytes at <paramref name="position"/>.</summary>
        private bool TryCharge(long position, long length, out string error)
        {
            if (position + length > _data.Length)
            {
                error = $"Data too short: needs {position + length} bytes, has {_data.Length}.";
                return false;
            }

            _budget -= length;
            if (_budget < 0)
            {
                error = "Encoding parts overlap (more bytes read than the data holds).";
                return false;
            }

            error = string.Empty;
            return true;
        }

        public bool TryReadValue(AbiType type, int position, out object? value, out string error)
        {
            value = null;
            switch (type.Kind)
            {
                case AbiTypeKind.Tuple:
                    return TryReadTuple(type, position, out value, out error);
                case AbiTypeKind.FixedArray:
                    return TryReadElements(type.ElementType!, type.Size, position, out value, out error);
                case AbiTypeKind.Array:
                {
                    if (!TryReadSmall(position, out var count, out error))
                    {
                        return false;
                    }

                    var element = type.ElementType!;

                    // Every element takes at least its head in the data; charging it before allocating
                    // keeps the allocation proportional to the input.
                    var minimum = (long)count * Math.Max(element.HeadSize, 1);
                    if (position + 32L + (element.HeadSize == 0 ? 0 : minimum) > _data.Length || minimum > _budget)
                    {
                        error = $"Array length {count} at {position} exceeds the data.";
                        return false;
                    }

                    return TryReadElements(element, count, position + 32, out value, out error);
                }

                case AbiTypeKind.Bytes:
                case AbiTypeKind.String:
                {
                    if (!TryReadSmall(position, out var length, out error))
                    {
                        return false;
                    }

                    var padded = (length + 31L) & ~31L;
                    if (!TryCharge(position + 32L, padded, out error))
                    {
                        return false;
                    }

                    var payload = _data.Slice(position + 32, length);
                    if (type.Kind == AbiTypeKind.Bytes)
                    {
                        value = payload.ToArray();
                        return true;
                    }

                    if (!System.Text.Unicode.Utf8.IsValid(payload))
                    {
                        error = $"string at {position} is not valid UTF-8.";
                        return false;
                    }

                    value = System.Text.Encoding.UTF8.GetString(payload);
                    return true;
                }

                default:
                    return TryReadElementary(type, position, out value, out error);
            }
        }

        private bool TryReadElementary(AbiType type, int position, out object? value, out string error)
        {
            value = null;
            if (!TryCharge(position, 32, out error))
            {
                return false;
            }

            var word = _data.Slice(position, 32);
            switch (type.Kind)
            {
                case AbiTypeKind.UInt:
                {
                    var pad = 32 - (type.Size / 8);
                    if (word[..pad].ContainsAnyExcept((byte)0))
                    {
                        error = $"{type.CanonicalName} at {position} has dirty high bits.";
                        return false;
                    }

                    value = new BigInteger(word[pad..], isUnsigned: true, isBigEndian: true);
                    return true;
                }

                case AbiTypeKind.Int:
                {
                    var pad = 32 - (type.Size / 8);
                    var sign = (word[pad] & 0x80) != 0 ? (byte)0xFF : (byte)0;
                    if (word[..pad].ContainsAnyExcept(sign))
                    {
                        error = $"{type.CanonicalName} at {position} is not sign-extended.";
                        return false;
                    }

                    value = new BigInteger(word[pad..], isUnsigned: false, isBigEndian: true);
                    return true;
                }

                case AbiTypeKind.Address:
                    if (word[..12].ContainsAnyExcept((byte)0))
                    {
                        error = $"address at {position} has dirty high bits.";
                        return false;
                    }

                    value = Address.FromBytes(word[12..]);
                    return true;
                case AbiTypeKind.Bool:
                    if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1)
                    {
                        error = $"bool at {position} is neither 0 nor 1.";
                        return false;
                    }

                    value = word[31] == 1;
                    return true;
                default:
                    if (word[type.Size..].ContainsAnyExcept((byte)0))
                    {
                        error = $"{type.CanonicalName} at {position} has non-zero padding.";
                        return false;
                    }

                    value = word[..type.Size].ToArray();
                    return true;
            }
        }
    }
}

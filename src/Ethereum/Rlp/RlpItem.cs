using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rlp;

/// <summary>
/// One RLP item: either a byte string or a list of items (Ethereum Yellow Paper, appendix B).
/// Immutable; equality is structural.
/// </summary>
public sealed class RlpItem : IEquatable<RlpItem>
{
    private static readonly RlpItem[] NoItems = [];
    private readonly byte[] _bytes;
    private readonly RlpItem[] _items;

    private RlpItem(byte[] bytes, RlpItem[] items, bool isList)
    {
        _bytes = bytes;
        _items = items;
        IsList = isList;
    }

    /// <summary>The empty byte string (encodes as 0x80; also the integer zero).</summary>
    public static RlpItem Empty { get; } = new([], NoItems, isList: false);

    /// <summary>The empty list (encodes as 0xc0).</summary>
    public static RlpItem EmptyList { get; } = new([], NoItems, isList: true);

    /// <summary>True for a list, false for a byte string.</summary>
    public bool IsList { get; }

    /// <summary>The bytes of a string item (empty for a list).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The children of a list item (empty for a string).</summary>
    public IReadOnlyList<RlpItem> Items => _items;

    /// <summary>A string item holding a copy of <paramref name="bytes"/>.</summary>
    public static RlpItem FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? Empty : new RlpItem(bytes.ToArray(), NoItems, isList: false);

    /// <summary>A list item over <paramref name="items"/>.</summary>
    public static RlpItem List(params IEnumerable<RlpItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var array = items.ToArray();
        foreach (var item in array)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
        }

        return array.Length == 0 ? EmptyList : new RlpItem([], array, isList: true);
    }

    /// <summary>
    /// A non-negative integer as RLP carries it: big-endian with no leading zero bytes; zero is the
    /// empty string.
    /// </summary>
    public static RlpItem FromInteger(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are non-negative.");
        }

        return value.IsZero ? Empty : new RlpItem(value.ToByteArray(isUnsigned: true, isBigEndian: true), NoItems, isList: false);
    }

    /// <summary>A non-negative integer as a string item (see <see cref="FromInteger(BigInteger)"/>).</summary>
    public static RlpItem FromInteger(ulong value) => FromInteger(new BigInteger(value));

    /// <summary>A 20-byte address as a string item.</summary>
    public static RlpItem FromAddress(Address address) => new(address.Bytes.ToArray(), NoItems, isList: false);

    /// <summary>
    /// Reads this string item as a canonical integer: at most <paramref name="maxBytes"/> bytes and
    /// no leading zero byte (zero must be the empty string). Never throws.
    /// </summary>
    public bool TryGetInteger(out BigInteger value, int maxBytes = 32)
    {
        value = BigInteger.Zero;
        if (IsList || _bytes.Length > maxBytes || (_bytes.Length > 0 && _bytes[0] == 0))
        {
            return false;
        }

        value = new BigInteger(_bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    /// <summary>Reads this string item as a canonical integer that fits in 64 bits. Never throws.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        value = 0;
        if (!TryGetInteger(out var big, maxBytes: 8))
        {
            return false;
        }

        value = (ulong)big;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(RlpItem? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || IsList != other.IsList)
        {
            return false;
        }

        return IsList ? _items.AsSpan().SequenceEqual(other._items) : _bytes.AsSpan().SequenceEqual(other._bytes);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RlpItem);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(IsList);
        if (IsList)
        {
            hash.Add(_items.Length);
            foreach (var item in _items)
            {
                hash.Add(item.GetHashCode());
            }
        }
        else
        {
            hash.AddBytes(_bytes);
        }

        return hash.ToHashCode();
    }

    /// <summary>A short description: <c>0x…</c> for strings, <c>[…]</c> for lists.</summary>
    public override string ToString() =>
        IsList ? "[" + string.Join(", ", _items.Select(i => i.ToString())) + "]" : Encoding.Hex.Encode(_bytes);
}

using Nethereum.ABI;
using Nethereum.ABI.Model;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// The head size of ABI parameters (ABI specification, "Formal Specification of the Encoding"), used to check
/// untrusted logs and revert data before Nethereum decodes them. Nethereum's <see cref="ABIType.StaticSize"/>
/// is the packed size (20 for an address), not the 32-byte word the standard encoding uses.
/// </summary>
public static class AbiLayout
{
    /// <summary>
    /// Bytes <paramref name="parameter"/> takes in the head: 32 for an elementary static type or a dynamic
    /// type's offset, the sum of its parts for a static tuple or fixed-size array of those.
    /// </summary>
    public static int HeadSize(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return HeadSize(parameter.ABIType);
    }

    /// <summary>Bytes a value of <paramref name="type"/> takes in the head of its enclosing tuple.</summary>
    public static int HeadSize(ABIType type) => type switch
    {
        _ when type.IsDynamic() => 32,
        TupleType tuple => tuple.Components.Sum(c => HeadSize(c.ABIType)),
        StaticArrayType array => array.FixedSize / array.ElementType.FixedSize * HeadSize(array.ElementType),
        _ => 32,
    };

    /// <summary>
    /// True if <paramref name="word"/> is the strict 32-byte encoding of an elementary static value of
    /// <paramref name="type"/>: unsigned integers and addresses with zero high bytes, signed integers sign-extended,
    /// booleans 0 or 1, <c>bytesN</c> zero-padded on the right. Nethereum's decoder throws on some non-canonical
    /// words (a <c>uint64</c> with high bits set) and silently accepts others; untrusted words are checked here first.
    /// Other types (tuples, arrays, dynamic) are not elementary words and return true.
    /// </summary>
    public static bool IsCanonicalWord(ABIType type, ReadOnlySpan<byte> word)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (word.Length != 32)
        {
            return false;
        }

        var name = type.CanonicalName;
        if (name == "address")
        {
            return !word[..12].ContainsAnyExcept((byte)0);
        }

        if (name == "bool")
        {
            return !word[..31].ContainsAnyExcept((byte)0) && word[31] <= 1;
        }

        if (name.StartsWith("uint", StringComparison.Ordinal) && int.TryParse(name.AsSpan(4), out var ubits))
        {
            return !word[..(32 - (ubits / 8))].ContainsAnyExcept((byte)0);
        }

        if (name.StartsWith("int", StringComparison.Ordinal) && int.TryParse(name.AsSpan(3), out var ibits))
        {
            var size = ibits / 8;
            var fill = (word[32 - size] & 0x80) != 0 ? (byte)0xFF : (byte)0;
            return !word[..(32 - size)].ContainsAnyExcept(fill);
        }

        if (name.StartsWith("bytes", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out var n))
        {
            return !word[n..].ContainsAnyExcept((byte)0);
        }

        return true;
    }
}

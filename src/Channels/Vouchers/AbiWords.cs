using System.Buffers.Binary;
using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Vouchers;

/// <summary>Writes the 32-byte words of <c>abi.encode</c> for the static types the channel messages use.</summary>
internal static class AbiWords
{
    public const int WordLength = 32;

    /// <summary>The largest <c>uint256</c>.</summary>
    public static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    public static void WriteUint256(Span<byte> word, BigInteger value)
    {
        if (value.Sign < 0 || value > MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A uint256 is between 0 and 2^256 - 1.");
        }

        word[..WordLength].Clear();
        var written = value.TryWriteBytes(word[..WordLength], out var count, isUnsigned: true, isBigEndian: true);
        if (!written)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A uint256 is between 0 and 2^256 - 1.");
        }

        // TryWriteBytes writes at the start; move the big-endian bytes to the end of the word.
        if (count < WordLength)
        {
            word[..count].CopyTo(word[(WordLength - count)..WordLength]);
            word[..(WordLength - count)].Clear();
        }
    }

    public static void WriteUInt64(Span<byte> word, ulong value)
    {
        word[..WordLength].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(word.Slice(WordLength - 8, 8), value);
    }

    public static void WriteAddress(Span<byte> word, Address address)
    {
        word[..12].Clear();
        address.Bytes.CopyTo(word[12..WordLength]);
    }
}

using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.TypedData;

/// <summary>
/// EIP-712 building blocks for allocation-free struct hashes outside this library (the channel
/// vouchers in Settlement.Channels): the digest and the uint256 word.
/// </summary>
public static class Eip712Encoding
{
    /// <summary>The EIP-712 digest: <c>keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message))</c>.</summary>
    /// <param name="domainSeparator">The 32-byte domain separator.</param>
    /// <param name="structHash">The 32-byte hashStruct(message).</param>
    /// <param name="digest">Receives 32 bytes.</param>
    public static void Digest(ReadOnlySpan<byte> domainSeparator, ReadOnlySpan<byte> structHash, Span<byte> digest)
    {
        Span<byte> buffer = stackalloc byte[66];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        domainSeparator.CopyTo(buffer[2..34]);
        structHash.CopyTo(buffer[34..66]);
        Keccak256.Hash(buffer, digest);
    }

    /// <summary>Writes an unsigned integer below 2^256 as a big-endian word without allocating.</summary>
    public static void WriteUInt256(System.Numerics.BigInteger value, Span<byte> word, string what)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256)
        {
            throw new ArgumentOutOfRangeException(what, $"{what} must be in [0, 2^256).");
        }

        var count = value.GetByteCount(isUnsigned: true);
        word[..(32 - count)].Clear();
        value.TryWriteBytes(word[(32 - count)..32], out _, isUnsigned: true, isBigEndian: true);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>
/// Deterministic 128-bit ids for what the indexer books: the first 16 bytes (big-endian) of SHA-256 over a domain tag
/// and the fields that identify the booking. The same event in the same block and epoch always gets the same ids, so
/// a retried batch answers <c>Exists</c>; an event re-booked after a rollback (a new epoch) gets new ones.
/// </summary>
public static class ChainTransferIds
{
    private static readonly byte[] TransferTag = Encoding.ASCII.GetBytes("l2pay/indexer/transfer/v1");
    private static readonly byte[] ReversalTag = Encoding.ASCII.GetBytes("l2pay/indexer/reversal/v1");

    /// <summary>
    /// The id of leg <paramref name="leg"/> (0, 1, …) of the event <paramref name="chainId"/>/<paramref name="contract"/>/
    /// <paramref name="transactionHash"/>/<paramref name="logIndex"/> booked from block <paramref name="blockHash"/>
    /// in rollback epoch <paramref name="epoch"/>.
    /// </summary>
    public static UInt128 ForEvent(ulong chainId, string contract, string transactionHash, ulong logIndex, string blockHash, long epoch, int leg)
    {
        ArgumentException.ThrowIfNullOrEmpty(contract);
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        ArgumentException.ThrowIfNullOrEmpty(blockHash);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(TransferTag);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(number, chainId);
        hash.AppendData(number);
        AppendText(hash, contract);
        AppendText(hash, transactionHash);
        BinaryPrimitives.WriteUInt64BigEndian(number, logIndex);
        hash.AppendData(number);
        AppendText(hash, blockHash);
        BinaryPrimitives.WriteInt64BigEndian(number, epoch);
        hash.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, leg);
        hash.AppendData(number);
        return FromDigest(hash.GetHashAndReset());
    }

    /// <summary>The id of the transfer that reverses <paramref name="original"/> (each booked transfer is reversed at most once).</summary>
    public static UInt128 Reversal(UInt128 original)
    {
        Span<byte> data = stackalloc byte[ReversalTag.Length + 16];
        ReversalTag.CopyTo(data);
        BinaryPrimitives.WriteUInt128BigEndian(data[ReversalTag.Length..], original);
        return FromDigest(SHA256.HashData(data));
    }

    /// <summary>A hash's first 16 bytes as a valid ledger id (never 0 or 2^128 − 1).</summary>
    internal static UInt128 FromDigest(ReadOnlySpan<byte> digest)
    {
        var id = BinaryPrimitives.ReadUInt128BigEndian(digest);
        return id == UInt128.Zero ? UInt128.One : id == UInt128.MaxValue ? UInt128.MaxValue - 1 : id;
    }

    internal static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text.ToLowerInvariant());
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}

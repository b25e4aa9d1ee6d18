namespace Settlement.Channels.Watchtower;

/// <summary>A block the watchtower has read up to: its number and hash (to notice when a reorg replaced it).</summary>
/// <param name="Number">The block number.</param>
/// <param name="Hash">The 32-byte block hash.</param>
public sealed record BlockMark(ulong Number, ReadOnlyMemory<byte> Hash)
{
    /// <summary>True if <paramref name="hash"/> is this block's hash.</summary>
    public bool HasHash(ReadOnlySpan<byte> hash) => Hash.Span.SequenceEqual(hash);

    /// <inheritdoc />
    public bool Equals(BlockMark? other) => other is not null && Number == other.Number && HasHash(other.Hash.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Number, Hash.Length > 0 ? Hash.Span[0] : 0);

    /// <inheritdoc />
    public override string ToString() => $"#{Number} {Ethereum.Encoding.Hex.Encode(Hash.Span)}";
}

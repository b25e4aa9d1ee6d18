namespace Settlement.Channels.Watchtower;

/// <summary>A block header as the watchtower needs it.</summary>
/// <param name="Number">The block number.</param>
/// <param name="Hash">The block hash.</param>
/// <param name="Timestamp">The block's Unix time (the contract's <c>block.timestamp</c>).</param>
public sealed record TowerBlock(ulong Number, ReadOnlyMemory<byte> Hash, ulong Timestamp)
{
    /// <summary>The block as a checkpoint mark.</summary>
    public BlockMark Mark => new(Number, Hash);
}

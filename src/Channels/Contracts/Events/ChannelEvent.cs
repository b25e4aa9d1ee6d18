namespace Settlement.Channels.Contracts.Events;

/// <summary>An event of the channel contract with its position in the chain (docs/protocol.md, "Events").</summary>
public abstract record ChannelEvent
{
    /// <summary>Block that holds the log.</summary>
    public ulong? BlockNumber { get; init; }

    /// <summary>Hash of the block that holds the log (to detect reorgs).</summary>
    public IReadOnlyList<byte>? BlockHash { get; init; }

    /// <summary>Transaction that emitted the log.</summary>
    public IReadOnlyList<byte>? TransactionHash { get; init; }

    /// <summary>Index of the log in its block.</summary>
    public ulong? LogIndex { get; init; }

    /// <summary>True if the node reports the log as removed by a reorg.</summary>
    public bool Removed { get; init; }
}

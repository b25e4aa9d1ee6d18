using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>One event log as <c>eth_getLogs</c> and receipts return it.</summary>
public sealed record LogEntry
{
    /// <summary>The emitting contract.</summary>
    public required Address Address { get; init; }

    /// <summary>Indexed topics; topic 0 is the event signature hash for non-anonymous events.</summary>
    public required IReadOnlyList<byte[]> Topics { get; init; }

    /// <summary>The non-indexed data.</summary>
    public required byte[] Data { get; init; }

    /// <summary>Block number, null while pending.</summary>
    public ulong? BlockNumber { get; init; }

    /// <summary>Block hash, null while pending.</summary>
    public byte[]? BlockHash { get; init; }

    /// <summary>Transaction hash.</summary>
    public byte[]? TransactionHash { get; init; }

    /// <summary>Index of the transaction in its block.</summary>
    public ulong? TransactionIndex { get; init; }

    /// <summary>Index of the log in its block.</summary>
    public ulong? LogIndex { get; init; }

    /// <summary>True when a reorganisation removed the log.</summary>
    public bool Removed { get; init; }
}

using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>A mined transaction's receipt (<c>eth_getTransactionReceipt</c>).</summary>
public sealed record TransactionReceipt
{
    /// <summary>The transaction hash.</summary>
    public required byte[] TransactionHash { get; init; }

    /// <summary>The block the transaction was mined in.</summary>
    public required ulong BlockNumber { get; init; }

    /// <summary>That block's hash.</summary>
    public required byte[] BlockHash { get; init; }

    /// <summary>Index in the block.</summary>
    public ulong TransactionIndex { get; init; }

    /// <summary>The sender.</summary>
    public required Address From { get; init; }

    /// <summary>The recipient; null for a contract creation.</summary>
    public Address? To { get; init; }

    /// <summary>The created contract, for a creation.</summary>
    public Address? ContractAddress { get; init; }

    /// <summary>True for status 1 (success), false for status 0 (reverted).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Gas used by this transaction.</summary>
    public required ulong GasUsed { get; init; }

    /// <summary>Gas used by the block up to and including this transaction.</summary>
    public ulong CumulativeGasUsed { get; init; }

    /// <summary>The price per gas actually paid, in wei.</summary>
    public BigInteger EffectiveGasPrice { get; init; }

    /// <summary>The transaction type (0 legacy, 2 EIP-1559, …).</summary>
    public byte Type { get; init; }

    /// <summary>The logs emitted.</summary>
    public required IReadOnlyList<LogEntry> Logs { get; init; }
}

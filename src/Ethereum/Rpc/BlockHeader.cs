using System.Numerics;

namespace Settlement.Ethereum.Rpc;

/// <summary>The parts of a block (<c>eth_getBlockByNumber</c> without full transactions) the system uses.</summary>
public sealed record BlockHeader
{
    /// <summary>Block number.</summary>
    public required ulong Number { get; init; }

    /// <summary>Block hash.</summary>
    public required byte[] Hash { get; init; }

    /// <summary>Parent block hash.</summary>
    public required byte[] ParentHash { get; init; }

    /// <summary>Unix time in seconds.</summary>
    public required ulong Timestamp { get; init; }

    /// <summary>The block gas limit.</summary>
    public ulong GasLimit { get; init; }

    /// <summary>Gas used by the block.</summary>
    public ulong GasUsed { get; init; }

    /// <summary>The EIP-1559 base fee per gas, absent before London.</summary>
    public BigInteger? BaseFeePerGas { get; init; }

    /// <summary>Hashes of the block's transactions.</summary>
    public IReadOnlyList<byte[]> TransactionHashes { get; init; } = [];
}

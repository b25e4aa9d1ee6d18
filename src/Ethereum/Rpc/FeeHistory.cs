using System.Numerics;

namespace Settlement.Ethereum.Rpc;

/// <summary>The answer of <c>eth_feeHistory</c>.</summary>
public sealed record FeeHistory
{
    /// <summary>The first block of the range.</summary>
    public required ulong OldestBlock { get; init; }

    /// <summary>Base fee per gas of each block, plus one entry for the block after the newest.</summary>
    public required IReadOnlyList<BigInteger> BaseFeePerGas { get; init; }

    /// <summary>Gas used / gas limit of each block.</summary>
    public required IReadOnlyList<double> GasUsedRatio { get; init; }

    /// <summary>Per block, the priority fees at the requested percentiles.</summary>
    public IReadOnlyList<IReadOnlyList<BigInteger>> Reward { get; init; } = [];
}

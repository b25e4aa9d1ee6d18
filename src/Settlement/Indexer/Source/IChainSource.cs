using Settlement.Ethereum.Addresses;

namespace Settlement.Service.Indexer.Source;

/// <summary>Where the indexer reads blocks and logs (an Ethereum node over JSON-RPC; a fake in tests).</summary>
public interface IChainSource
{
    /// <summary>The chain id the node serves.</summary>
    Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default);

    /// <summary>The number of the newest block.</summary>
    Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>The block with this number on the node's current chain, or null when it has none.</summary>
    Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default);

    /// <summary>The logs of <paramref name="addresses"/> in blocks <paramref name="from"/>..<paramref name="to"/> (inclusive).</summary>
    Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default);
}

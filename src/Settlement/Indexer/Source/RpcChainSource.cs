using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;

namespace Settlement.Service.Indexer.Source;

/// <summary>The indexer's <see cref="IChainSource"/> over an Ethereum node's JSON-RPC (<see cref="EthereumRpcClient"/>).</summary>
public sealed class RpcChainSource : IChainSource
{
    private readonly EthereumRpcClient _rpc;

    /// <summary>Reads through <paramref name="rpc"/> (its retries of transient faults apply).</summary>
    public RpcChainSource(EthereumRpcClient rpc)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
    }

    /// <inheritdoc />
    public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) => _rpc.GetChainIdAsync(cancellationToken);

    /// <inheritdoc />
    public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => _rpc.GetBlockNumberAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        await _rpc.GetBlockByNumberAsync(number, cancellationToken).ConfigureAwait(false) is { } header
            ? new ChainBlock(header.Number, Hex.Encode(header.Hash), Hex.Encode(header.ParentHash))
            : null;

    /// <inheritdoc />
    public async Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default)
    {
        try
        {
            var logs = await _rpc.GetLogsAsync(new LogFilter { FromBlock = from, ToBlock = to, Addresses = addresses }, cancellationToken).ConfigureAwait(false);
            return LogQueryResult.Ok(logs);
        }
        catch (JsonRpcServerException ex) when (LogRangeErrors.IsRangeTooLarge(ex.ErrorCode, ex.NodeMessage))
        {
            return LogQueryResult.TooLarge(ex.NodeMessage);
        }
    }
}

using System.Collections.Concurrent;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payee.Chain;

/// <summary>
/// Reads a channel's view from the chain at the confirmed height (<c>head − confirmations</c>): its parameters from
/// the <c>ChannelOpened</c> event and its amounts from <c>channelState</c>. A deposit that is not yet buried under
/// the confirmations, or that a reorg removed, is not counted.
/// </summary>
public sealed class ChainChannelViewSource : IChannelViewSource
{
    private readonly ChannelContract _contract;
    private readonly ConfirmedChannelReader _reader;
    private readonly Ethereum.Rpc.EthereumRpcClient _rpc;
    private readonly ulong _chainId;
    private readonly ConcurrentDictionary<ChannelId, ChannelParameters> _parameters = new();

    /// <summary>Creates a source for the contract on chain <paramref name="chainId"/>.</summary>
    public ChainChannelViewSource(ChannelContract contract, Ethereum.Rpc.EthereumRpcClient rpc, ulong chainId, int confirmations)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(rpc);
        _contract = contract;
        _rpc = rpc;
        _chainId = chainId;
        _reader = new ConfirmedChannelReader(contract, rpc, confirmations);
    }

    /// <summary>Blocks that must follow a block before its state counts.</summary>
    public int Confirmations => _reader.Confirmations;

    /// <summary>The newest confirmed block number, or null while the chain is shorter than the confirmations.</summary>
    public async Task<ulong?> GetConfirmedHeightAsync(CancellationToken cancellationToken = default)
    {
        var head = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        return head < (ulong)Confirmations ? null : head - (ulong)Confirmations;
    }

    /// <inheritdoc />
    public async Task<StoredChannel?> GetConfirmedAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        if (key.ChainId != _chainId || key.Contract != _contract.Address
            || await GetConfirmedHeightAsync(cancellationToken).ConfigureAwait(false) is not { } height)
        {
            return null;
        }

        return await ReadAsync(key, height, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The view of <paramref name="key"/> at <paramref name="height"/>; a channel that no longer exists there but was
    /// opened is returned as settled; null if it was never opened.
    /// </summary>
    public async Task<StoredChannel?> ReadAsync(ChannelKey key, ulong height, CancellationToken cancellationToken = default)
    {
        if (!_parameters.TryGetValue(key.ChannelId, out var parameters))
        {
            var opened = await _contract.FindOpenedAsync(key.ChannelId, height, cancellationToken).ConfigureAwait(false);
            if (opened is null)
            {
                return null;
            }

            parameters = _parameters.GetOrAdd(key.ChannelId, opened.Channel);
        }

        var state = await _contract.GetStateAsync(key.ChannelId, height, cancellationToken).ConfigureAwait(false);
        var view = state.Exists
            ? new PayeeChannelView(key, parameters, state.PayerDeposit, state.RedeemedByPayee, state.PayeeDeposit, state.RedeemedByPayer, state.CloseDeadline, Settled: false)
            : new PayeeChannelView(key, parameters, 0, 0, 0, 0, 0, Settled: true);
        return new StoredChannel(view, height);
    }
}

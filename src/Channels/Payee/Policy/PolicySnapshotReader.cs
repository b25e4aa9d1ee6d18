using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Storage;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Builds a <see cref="PolicySnapshot"/>: the newest voucher of every channel in the payee's store that belongs to this
/// chain and contract and pays <c>payee</c>, each with its state read from the chain at the latest block (not the
/// confirmed one: what matters here is what a transaction sent now would find), and the latest block's timestamp.
/// Channels the store already knows as settled are not read again.
/// </summary>
public sealed class PolicySnapshotReader
{
    private readonly IVoucherStore _store;
    private readonly ChainChannelViewSource _chain;
    private readonly ChannelContract _contract;
    private readonly EthereumRpcClient _rpc;
    private readonly TimeProvider _time;

    /// <summary>Creates a reader.</summary>
    public PolicySnapshotReader(IVoucherStore store, ChainChannelViewSource chain, ChannelContract contract, EthereumRpcClient rpc, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(rpc);
        _store = store;
        _chain = chain;
        _contract = contract;
        _rpc = rpc;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Reads the channels paying <paramref name="payee"/>.</summary>
    public async Task<PolicySnapshot> ReadAsync(Address payee, CancellationToken cancellationToken = default)
    {
        var head = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var block = await _rpc.GetBlockByNumberAsync(head, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The chain node has no block {head}.");
        var settled = (await _store.ListChannelsAsync(cancellationToken).ConfigureAwait(false))
            .Where(c => c.View.Settled).Select(c => c.View.Key).ToHashSet();
        var channels = new List<PolicyChannel>();
        foreach (var newest in await _store.ListNewestAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = newest.Key;
            if (key.ChainId != _rpc.ChainId || key.Contract != _contract.Address || settled.Contains(key))
            {
                continue;
            }

            if (await _chain.ReadAsync(key, head, cancellationToken).ConfigureAwait(false) is { View: { Settled: false } view }
                && view.Parameters.Payee == payee)
            {
                channels.Add(new PolicyChannel(view, newest));
            }
        }

        var requests = (await _store.ListCloseRequestsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Key);
        return new PolicySnapshot(channels, _time.GetUtcNow(), block.Timestamp) { CloseRequests = requests };
    }

    /// <summary>One channel's entry (its newest stored voucher may be null), or null if it was never opened or was settled.</summary>
    public async Task<(PolicyChannel? Channel, ulong ChainTime)> ReadOneAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        var head = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var block = await _rpc.GetBlockByNumberAsync(head, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The chain node has no block {head}.");
        var read = await _chain.ReadAsync(key, head, cancellationToken).ConfigureAwait(false);
        if (read is not { View: { Settled: false } view })
        {
            return (null, block.Timestamp);
        }

        var newest = await _store.GetNewestAsync(key, cancellationToken).ConfigureAwait(false);
        return (new PolicyChannel(view, newest), block.Timestamp);
    }
}

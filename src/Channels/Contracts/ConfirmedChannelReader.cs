using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Contracts;

/// <summary>
/// What a payee may rely on before extending credit: channel state read at <c>head − confirmations</c>, and
/// events checked against the canonical chain. A deposit that a reorg removed is never counted: its state
/// disappears from the confirmed height and its event's block hash stops being canonical.
/// </summary>
public sealed class ConfirmedChannelReader
{
    private readonly ChannelContract _contract;
    private readonly EthereumRpcClient _rpc;

    /// <summary>Creates a reader that trusts state buried under <paramref name="confirmations"/> blocks.</summary>
    public ConfirmedChannelReader(ChannelContract contract, EthereumRpcClient rpc, int confirmations)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentOutOfRangeException.ThrowIfNegative(confirmations);
        _contract = contract;
        _rpc = rpc;
        Confirmations = confirmations;
    }

    /// <summary>Blocks that must follow a block before its state counts.</summary>
    public int Confirmations { get; }

    /// <summary>The channel's state at the newest confirmed block (empty if no block is confirmed yet).</summary>
    public async Task<ChannelState> GetConfirmedStateAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        var head = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (head < (ulong)Confirmations)
        {
            return new ChannelState(false, 0, 0, 0, 0, 0);
        }

        return await _contract.GetStateAsync(channelId, head - (ulong)Confirmations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// True if <paramref name="channelEvent"/>'s block is still on the canonical chain and has
    /// <see cref="Confirmations"/> blocks after it.
    /// </summary>
    public async Task<bool> IsConfirmedAsync(ChannelEvent channelEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channelEvent);
        if (channelEvent.Removed || channelEvent.BlockNumber is not { } number || channelEvent.BlockHash is not { } hash)
        {
            return false;
        }

        var head = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        if (head < number + (ulong)Confirmations)
        {
            return false;
        }

        var block = await _rpc.GetBlockByNumberAsync(number, cancellationToken).ConfigureAwait(false);
        return block is not null && block.Hash.AsSpan().SequenceEqual(hash.ToArray());
    }
}

using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// What the watchtower reads from and sends to the chain (one contract). <see cref="RpcWatchtowerChain"/> is the real
/// one; tests use fakes to drive the decision logic.
/// </summary>
public interface IWatchtowerChain
{
    /// <summary>The chain id.</summary>
    ulong ChainId { get; }

    /// <summary>The contract guarded.</summary>
    Address Contract { get; }

    /// <summary>The account that pays the watchtower's gas.</summary>
    Address Sender { get; }

    /// <summary>The newest block number.</summary>
    Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>The canonical block at <paramref name="number"/>, or null above the head.</summary>
    Task<TowerBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default);

    /// <summary>The contract's events in blocks <paramref name="from"/>..<paramref name="to"/>, in chain order.</summary>
    Task<IReadOnlyList<ChannelEvent>> GetEventsAsync(ulong from, ulong to, CancellationToken cancellationToken = default);

    /// <summary>The channel's state at the newest block.</summary>
    Task<ChannelState> GetStateAsync(ChannelId channelId, CancellationToken cancellationToken = default);

    /// <summary>Where the transaction <paramref name="hash"/> is now.</summary>
    Task<TowerTransactionStatus> GetTransactionStatusAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs and sends <c>redeem(channel, voucher)</c> without waiting for it to be mined; <paramref name="beforeBroadcast"/>
    /// gets the signed transaction before the node does (when it throws, nothing is sent).
    /// </summary>
    Task<TowerTransaction> SubmitRedeemAsync(
        ChannelParameters channel, SignedVoucher voucher, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default);

    /// <summary>Signs and sends <c>settle(channel)</c>, like <see cref="SubmitRedeemAsync"/>.</summary>
    Task<TowerTransaction> SubmitSettleAsync(
        ChannelParameters channel, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default);

    /// <summary>Sends already signed bytes again; true if the node holds (or mined) the transaction afterwards.</summary>
    Task<bool> RebroadcastAsync(TowerTransaction transaction, CancellationToken cancellationToken = default);
}

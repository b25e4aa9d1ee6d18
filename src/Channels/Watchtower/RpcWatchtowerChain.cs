using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's chain over JSON-RPC: reads through <see cref="ChannelContract"/>, sends EIP-1559 transactions
/// signed with the watchtower's own gas key through <see cref="TransactionSender"/>. The key can only pay gas: the
/// calls it signs (<c>redeem</c>, <c>settle</c>) pay the channel's parties, whoever sends them.
/// </summary>
public sealed class RpcWatchtowerChain : IWatchtowerChain
{
    private readonly EthereumRpcClient _rpc;
    private readonly ChannelContract _contract;
    private readonly TransactionSender _sender;
    private readonly NonceManager _nonces;
    private readonly PrivateKey _key;

    /// <summary>Creates the chain access; <paramref name="key"/> stays owned by the caller.</summary>
    public RpcWatchtowerChain(EthereumRpcClient rpc, ChannelContract contract, TransactionSender sender, NonceManager nonces, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(nonces);
        ArgumentNullException.ThrowIfNull(key);
        _rpc = rpc;
        _contract = contract;
        _sender = sender;
        _nonces = nonces;
        _key = key;
        Sender = key.Address;
    }

    /// <inheritdoc />
    public ulong ChainId => _rpc.ChainId;

    /// <inheritdoc />
    public Address Contract => _contract.Address;

    /// <inheritdoc />
    public Address Sender { get; }

    /// <inheritdoc />
    public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => _rpc.GetBlockNumberAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<TowerBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        await _rpc.GetBlockByNumberAsync(number, cancellationToken).ConfigureAwait(false) is { } header
            ? new TowerBlock(header.Number, header.Hash, header.Timestamp)
            : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<ChannelEvent>> GetEventsAsync(ulong from, ulong to, CancellationToken cancellationToken = default) =>
        _contract.GetEventsAsync(from, to, cancellationToken);

    /// <inheritdoc />
    public Task<ChannelState> GetStateAsync(ChannelId channelId, CancellationToken cancellationToken = default) =>
        _contract.GetStateAsync(channelId, null, cancellationToken);

    /// <inheritdoc />
    public async Task<TowerTransactionStatus> GetTransactionStatusAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default)
    {
        if (await _rpc.GetTransactionReceiptAsync(hash, cancellationToken).ConfigureAwait(false) is { } receipt)
        {
            return receipt.Succeeded ? TowerTransactionStatus.Mined : TowerTransactionStatus.Reverted;
        }

        return await _rpc.IsTransactionKnownAsync(hash, cancellationToken).ConfigureAwait(false)
            ? TowerTransactionStatus.Pending
            : TowerTransactionStatus.Unknown;
    }

    /// <inheritdoc />
    public Task<TowerTransaction> SubmitRedeemAsync(
        ChannelParameters channel, SignedVoucher voucher, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var signature = voucher.Signature;
        var data = ContractMessages.CallData(new RedeemFunction
        {
            C = ChannelContract.Tuple(channel),
            CumulativeAmount = voucher.Voucher.CumulativeAmount,
            Sig = new SignatureStruct { V = signature.V, R = signature.R.ToArray(), S = signature.S.ToArray() },
        });
        return SubmitAsync(data, beforeBroadcast, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TowerTransaction> SubmitSettleAsync(
        ChannelParameters channel, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default) =>
        SubmitAsync(ContractMessages.CallData(new SettleFunction { C = ChannelContract.Tuple(channel) }), beforeBroadcast, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> RebroadcastAsync(TowerTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        bool known;
        try
        {
            await _rpc.SendRawTransactionAsync(transaction.Raw, cancellationToken).ConfigureAwait(false);
            known = true;
        }
        catch (JsonRpcServerException)
        {
            // "nonce too low" and the like: the nonce went to another transaction; the caller signs a new one.
            known = await _rpc.IsTransactionKnownAsync(transaction.Hash, cancellationToken).ConfigureAwait(false);
        }

        await _nonces.ResyncAsync(Sender, cancellationToken).ConfigureAwait(false);
        return known;
    }

    private async Task<TowerTransaction> SubmitAsync(byte[] data, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(beforeBroadcast);

        // After a reorg or a restart the node's count is the truth; the cached nonce may be ahead of it.
        await _nonces.ResyncAsync(Sender, cancellationToken).ConfigureAwait(false);
        var signed = await _sender.SubmitAsync(
            _key, _contract.Address, data, BigInteger.Zero, gasLimit: null,
            (SignedTransaction tx, CancellationToken ct) => beforeBroadcast(new TowerTransaction(tx.Hash.ToArray(), tx.ToArray()), ct),
            cancellationToken).ConfigureAwait(false);
        return new TowerTransaction(signed.Hash.ToArray(), signed.ToArray());
    }
}

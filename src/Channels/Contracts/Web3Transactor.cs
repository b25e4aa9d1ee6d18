using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using TransactionReceipt = Settlement.Ethereum.Rpc.TransactionReceipt;

namespace Settlement.Channels.Contracts;

/// <summary>
/// Sends contract calls through the account of a Nethereum <see cref="IWeb3"/> an application already holds
/// (<c>new Web3(new Account(key, chainId), url)</c>, a managed or external account): Nethereum estimates gas,
/// prices, assigns the nonce (its account's nonce service), signs and waits for the receipt. Node errors come back
/// as <see cref="JsonRpcServerException"/> with the revert data, so <see cref="ChannelContract"/> decodes the
/// contract's custom errors as it does for <see cref="SignedTransactor"/>.
/// </summary>
public sealed class Web3Transactor : IContractTransactor
{
    private readonly IWeb3 _web3;
    private readonly TimeSpan _receiptTimeout;
    private readonly TimeProvider _time;

    /// <summary>Creates a transactor for the account of <paramref name="web3"/>.</summary>
    /// <param name="web3">The application's Web3, created with an account.</param>
    /// <param name="receiptTimeout">How long to wait for a sent transaction to be mined (2 minutes by default).</param>
    /// <param name="timeProvider">Clock for that wait.</param>
    /// <exception cref="ArgumentException"><paramref name="web3"/> has no account to send from.</exception>
    public Web3Transactor(IWeb3 web3, TimeSpan? receiptTimeout = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        _receiptTimeout = receiptTimeout ?? TimeSpan.FromMinutes(2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_receiptTimeout, TimeSpan.Zero, nameof(receiptTimeout));
        _time = timeProvider ?? TimeProvider.System;
        var account = web3.TransactionManager?.Account
            ?? throw new ArgumentException("The Web3 instance has no account: create it with new Web3(account, url).", nameof(web3));
        _web3 = web3;
        Sender = Address.Parse(account.Address);
    }

    /// <inheritdoc />
    public Address Sender { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Gas is estimated here (plus 20 %, as <see cref="TransactionSender"/> does): without it Nethereum sends its
    /// default 90,000 gas, which a contract creation cannot pay for, and a node may drop such a transaction without
    /// an error. A call that would revert is refused at the estimate, nothing is sent.
    /// </remarks>
    /// <exception cref="TransactionReceiptTimeoutException">Sent but not mined within the receipt timeout.</exception>
    public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var input = new TransactionInput
        {
            From = Sender.ToString(),
            To = to?.ToString(),
            Data = data.ToArray().ToHex(prefix: true),
            Value = new HexBigInteger(value),
        };
        string hash;
        try
        {
            var estimate = await _web3.TransactionManager.EstimateGasAsync(input).WaitAsync(cancellationToken).ConfigureAwait(false);
            input.Gas = new HexBigInteger(estimate.Value * 120 / 100);
            hash = await _web3.TransactionManager.SendTransactionAsync(input).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcResponseException ex)
        {
            throw NethereumInterop.ToServerException(ex, "eth_estimateGas/eth_sendRawTransaction");
        }

        using var timeout = new CancellationTokenSource(_receiptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var receipt = await _web3.TransactionManager.TransactionReceiptService.PollForReceiptAsync(hash, linked.Token).ConfigureAwait(false);
            return NethereumInterop.ToReceipt(receipt);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw NethereumInterop.ReceiptTimeout(hash, _receiptTimeout);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Web3Transactor({Sender})";
}

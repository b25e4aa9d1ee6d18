using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// Builds, signs and sends EIP-1559 transactions: checks the chain id, estimates gas (plus a margin),
/// prices from the latest base fee, takes the nonce from <see cref="NonceManager"/>, sends the raw
/// bytes, waits for the receipt and checks its status. A transaction is signed once; if sending it
/// fails the nonce is released (or kept, when the node turns out to hold the transaction) and the
/// error goes to the caller — nothing is re-signed under another nonce behind the caller's back.
/// </summary>
public sealed partial class TransactionSender
{
    private readonly EthereumRpcClient _rpc;
    private readonly NonceManager _nonces;
    private readonly TransactionSenderOptions _options;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Address, SemaphoreSlim> _sendGates = new();

    /// <summary>Creates a sender.</summary>
    public TransactionSender(EthereumRpcClient rpc, NonceManager nonces, TransactionSenderOptions options, ILogger<TransactionSender>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(nonces);
        ArgumentNullException.ThrowIfNull(options);
        _rpc = rpc;
        _nonces = nonces;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Sends a transaction and waits until it is mined successfully.</summary>
    /// <param name="key">The sender's key.</param>
    /// <param name="to">The recipient; null deploys <paramref name="data"/> as init code.</param>
    /// <param name="data">Call data or init code.</param>
    /// <param name="value">Wei to transfer.</param>
    /// <param name="cancellationToken">Cancels waiting (a transaction already sent stays sent).</param>
    /// <returns>The successful receipt.</returns>
    /// <exception cref="TransactionRevertedException">The gas estimate or the mined transaction reverted.</exception>
    /// <exception cref="TransactionReceiptTimeoutException">Not mined within <see cref="TransactionSenderOptions.ReceiptTimeout"/>.</exception>
    /// <exception cref="JsonRpcException">The node refused the transaction or could not be reached.</exception>
    public async Task<TransactionReceipt> SendAsync(PrivateKey key, Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var sent = await SubmitAsync(key, to, data, value, gasLimit: null, cancellationToken).ConfigureAwait(false);
        return await WaitForSuccessAsync(sent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Signs and sends a transaction without waiting for it to be mined. With <paramref name="gasLimit"/>
    /// the estimate is skipped.
    /// </summary>
    /// <returns>The signed transaction the node accepted.</returns>
    public Task<SignedTransaction> SubmitAsync(PrivateKey key, Address? to, ReadOnlyMemory<byte> data, BigInteger value, ulong? gasLimit = null, CancellationToken cancellationToken = default) =>
        SubmitAsync(key, to, data, value, gasLimit, beforeBroadcast: null, cancellationToken);

    /// <summary>
    /// Signs and sends a transaction without waiting for it to be mined, calling <paramref name="beforeBroadcast"/> with
    /// the signed transaction before the node sees it: a caller that stores it there (an outbox) can, after a crash,
    /// re-send those very bytes (<see cref="RebroadcastAsync"/>) instead of signing a second transaction. When the
    /// callback throws nothing is sent, the nonce is released and the exception goes to the caller.
    /// </summary>
    /// <returns>The signed transaction the node accepted.</returns>
    public async Task<SignedTransaction> SubmitAsync(
        PrivateKey key,
        Address? to,
        ReadOnlyMemory<byte> data,
        BigInteger value,
        ulong? gasLimit,
        Func<SignedTransaction, CancellationToken, Task>? beforeBroadcast,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await _rpc.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var from = key.Address;
        var gas = gasLimit ?? await EstimateAsync(from, to, data, value, cancellationToken).ConfigureAwait(false);
        var (maxFee, tip) = await FeesAsync(cancellationToken).ConfigureAwait(false);

        // Reserve, sign and hand over one transaction at a time per account, so the node receives an
        // account's transactions in nonce order: nodes such as Hardhat in automine mode refuse a nonce
        // gap, and a failed send can then never strand later transactions behind a gap. Receipts are
        // still awaited concurrently.
        var gate = _sendGates.GetOrAdd(from, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReserveSignSendAsync(key, to, data, value, gas, maxFee, tip, beforeBroadcast, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<SignedTransaction> ReserveSignSendAsync(
        PrivateKey key,
        Address? to,
        ReadOnlyMemory<byte> data,
        BigInteger value,
        ulong gas,
        BigInteger maxFee,
        BigInteger tip,
        Func<SignedTransaction, CancellationToken, Task>? beforeBroadcast,
        CancellationToken cancellationToken)
    {
        var from = key.Address;
        var reservation = await _nonces.ReserveAsync(from, cancellationToken).ConfigureAwait(false);
        SignedTransaction signed;
        try
        {
            signed = new Eip1559Transaction
            {
                ChainId = _rpc.ChainId,
                Nonce = reservation.Nonce,
                MaxPriorityFeePerGas = tip,
                MaxFeePerGas = maxFee,
                GasLimit = gas,
                To = to,
                Value = value,
                Data = data.ToArray(),
            }.Sign(key);
            if (beforeBroadcast is not null)
            {
                await beforeBroadcast(signed, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            reservation.Release();
            throw;
        }

        try
        {
            // Not cancellable past this point: the node may already hold the transaction, and the
            // nonce bookkeeping must learn which way it went.
            await _rpc.SendRawTransactionAsync(signed.ToArray(), CancellationToken.None).ConfigureAwait(false);
            reservation.Commit();
            LogSent(_logger, signed.HashHex, from.ToString(), reservation.Nonce);
            return signed;
        }
        catch (JsonRpcException ex)
        {
            if (await IsKnownAsync(signed).ConfigureAwait(false))
            {
                // The node holds it (some nodes report a revert at submission but still mine it).
                reservation.Commit();
                LogSentWithError(_logger, signed.HashHex, ex.Message);
                if (ex.RevertData is not null || (ex is JsonRpcServerException { IsRevert: true }))
                {
                    var receipt = await _rpc.WaitForReceiptAsync(signed.Hash.ToArray(), _options.ReceiptTimeout, _options.ReceiptPollInterval, cancellationToken).ConfigureAwait(false);
                    if (!receipt.Succeeded)
                    {
                        throw new TransactionRevertedException($"Transaction {signed.HashHex} reverted.", receipt, ex.RevertData?.ToArray(), ex.RevertReason, ex);
                    }
                }

                return signed;
            }

            reservation.Release();
            await TryResyncAsync(from).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends an already signed transaction again, as the identical bytes (e.g. from an outbox after a restart). A node
    /// that already holds or has mined it is not an error. Call it for an account's stored transactions in nonce order
    /// before that account signs anything new, so the nonce manager does not hand their nonces out again.
    /// </summary>
    /// <returns>True when the node holds the transaction (pending or mined) afterwards.</returns>
    public async Task<bool> RebroadcastAsync(SignedTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await _rpc.ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _rpc.SendRawTransactionAsync(transaction.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcServerException ex)
        {
            if (!await IsKnownAsync(transaction).ConfigureAwait(false))
            {
                LogRebroadcastRefused(_logger, transaction.HashHex, ex.Message);
                await TryResyncAsync(transaction.Sender).ConfigureAwait(false);
                return false;
            }
        }

        await TryResyncAsync(transaction.Sender).ConfigureAwait(false);
        return true;
    }

    /// <summary>Waits for <paramref name="transaction"/>'s receipt and checks its status.</summary>
    /// <exception cref="TransactionRevertedException">Mined with status 0; the revert reason is replayed with eth_call.</exception>
    public async Task<TransactionReceipt> WaitForSuccessAsync(SignedTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var receipt = await _rpc.WaitForReceiptAsync(transaction.Hash.ToArray(), _options.ReceiptTimeout, _options.ReceiptPollInterval, cancellationToken).ConfigureAwait(false);
        if (receipt.Succeeded)
        {
            return receipt;
        }

        // Replay the call on the state before its block to learn why it reverted.
        byte[]? revertData = null;
        string? reason = null;
        try
        {
            var tx = transaction.Transaction;
            await _rpc.CallAsync(
                new CallRequest { From = transaction.Sender, To = tx.To, Data = tx.Data, Value = tx.Value, Gas = tx.GasLimit },
                receipt.BlockNumber > 0 ? BlockParameter.FromNumber(receipt.BlockNumber - 1) : BlockParameter.Earliest,
                cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcServerException ex)
        {
            revertData = ex.RevertData?.ToArray();
            reason = ex.RevertReason;
        }

        throw new TransactionRevertedException($"Transaction {transaction.HashHex} reverted in block {receipt.BlockNumber}.", receipt, revertData, reason);
    }

    private async Task<ulong> EstimateAsync(Address from, Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken)
    {
        ulong estimate;
        try
        {
            estimate = await _rpc.EstimateGasAsync(new CallRequest { From = from, To = to, Data = data, Value = value }, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcServerException ex) when (ex.IsRevert)
        {
            throw new TransactionRevertedException("The transaction would revert (gas estimation failed); nothing was sent.", null, ex.RevertData?.ToArray(), ex.RevertReason, ex);
        }

        var withMargin = (BigInteger)estimate * (100 + _options.GasMarginPercent) / 100;
        return withMargin > ulong.MaxValue ? ulong.MaxValue : (ulong)withMargin;
    }

    private async Task<(BigInteger MaxFee, BigInteger Tip)> FeesAsync(CancellationToken cancellationToken)
    {
        var latest = await _rpc.GetBlockByNumberAsync(BlockParameter.Latest, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The node returned no latest block.");
        var baseFee = latest.BaseFeePerGas
            ?? throw new InvalidOperationException("The latest block has no base fee: the chain does not support EIP-1559 transactions.");
        BigInteger tip;
        try
        {
            tip = await _rpc.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcServerException)
        {
            tip = _options.FallbackPriorityFeeWei;
        }

        return ((baseFee * _options.BaseFeeMultiplier) + tip, tip);
    }

    private async Task<bool> IsKnownAsync(SignedTransaction signed)
    {
        try
        {
            return await _rpc.IsTransactionKnownAsync(signed.Hash.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (JsonRpcException)
        {
            return false;
        }
    }

    private async Task TryResyncAsync(Address from)
    {
        try
        {
            await _nonces.ResyncAsync(from, CancellationToken.None).ConfigureAwait(false);
        }
        catch (JsonRpcException ex)
        {
            LogResyncFailed(_logger, from.ToString(), ex.Message);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Sent transaction {Hash} from {From} with nonce {Nonce}")]
    private static partial void LogSent(ILogger logger, string hash, string from, ulong nonce);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Transaction {Hash} is held by the node although sending reported: {Error}")]
    private static partial void LogSentWithError(ILogger logger, string hash, string error);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "The node refused the stored transaction {Hash} again and does not hold it: {Error}")]
    private static partial void LogRebroadcastRefused(ILogger logger, string hash, string error);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Nonce resync for {Account} failed: {Error}")]
    private static partial void LogResyncFailed(ILogger logger, string account, string error);
}

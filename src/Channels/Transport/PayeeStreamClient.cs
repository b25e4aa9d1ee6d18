using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport;

/// <summary>
/// A client of the payee's WebSocket stream (docs/payee.md): sends HELLO, then pipelines VOUCHER frames — each
/// <see cref="SendAsync"/> completes with the voucher's ACK, matched by channel id and amount — and keeps the
/// newest RECEIPT per channel. Thread-safe. The payer SDK builds on it; tests, the demo and the benchmarks use it
/// directly.
/// </summary>
public sealed class PayeeStreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    // Waiters by (channel, amount); an entry is removed when its last waiter is answered, so a long stream keeps only
    // its unacknowledged vouchers here. Locked.
    private readonly Dictionary<(ChannelId, BigInteger), Queue<TaskCompletionSource<AckFrame>>> _pendingAcks = [];
    private readonly List<(ChannelId Channel, TaskCompletionSource<ReceiptFrame> Waiter)> _pendingReceipts = []; // locked
    private readonly ConcurrentDictionary<ChannelId, ReceiptFrame> _receipts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<HelloAckFrame> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiveLoop;
    private Exception? _failure;

    private PayeeStreamClient(ClientWebSocket socket) => _socket = socket;

    /// <summary>The payee's answer to HELLO (its address, receipt cadence, in-flight limit).</summary>
    public HelloAckFrame Hello => _hello.Task.IsCompletedSuccessfully ? _hello.Task.Result : throw new InvalidOperationException("Not connected.");

    /// <summary>Raised for every RECEIPT received (on the receive loop: keep handlers short).</summary>
    public event EventHandler<ReceiptFrame>? ReceiptReceived;

    /// <summary>Raised on the receive loop for every REFUND frame (a payee → payer voucher, not yet verified).</summary>
    public event EventHandler<RefundFrame>? RefundReceived;

    /// <summary>Connects, sends HELLO for <paramref name="chainId"/> and <paramref name="contract"/>, and waits for HELLO_ACK.</summary>
    /// <exception cref="PayeeProtocolException">The payee refused the HELLO (wrong chain or contract).</exception>
    public static async Task<PayeeStreamClient> ConnectAsync(Uri streamUrl, ulong chainId, Address contract, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamUrl);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        var client = new PayeeStreamClient(socket);
        try
        {
            await socket.ConnectAsync(streamUrl, cancellationToken).ConfigureAwait(false);
            client._receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
            await client.SendFrameAsync(new HelloFrame(PayeeFrames.Version, chainId, contract), cancellationToken).ConfigureAwait(false);
            await client._hello.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends a voucher and waits for its ACK.</summary>
    public async Task<AckFrame> SendAsync(VoucherFrame voucher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var waiter = new TaskCompletionSource<AckFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pendingAcks)
        {
            var key = (voucher.ChannelId, voucher.CumulativeAmount);
            if (!_pendingAcks.TryGetValue(key, out var queue))
            {
                _pendingAcks[key] = queue = new Queue<TaskCompletionSource<AckFrame>>(1);
            }

            queue.Enqueue(waiter);
        }

        ThrowIfFailed(waiter);
        await SendFrameAsync(voucher, cancellationToken).ConfigureAwait(false);
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for a signed receipt of the newest stored amount of a channel.</summary>
    public async Task<ReceiptFrame> RequestReceiptAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<ReceiptFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pendingReceipts)
        {
            _pendingReceipts.Add((channelId, waiter));
        }

        await SendFrameAsync(new ReceiptRequestFrame(channelId), cancellationToken).ConfigureAwait(false);
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest RECEIPT received for a channel, or null.</summary>
    public ReceiptFrame? LatestReceipt(ChannelId channelId) => _receipts.GetValueOrDefault(channelId);

    /// <summary>
    /// Completes when the connection ends (the payee closed it, it broke, or the client was disposed): a payer SDK
    /// reconnects from here instead of waiting for its next send to fail.
    /// </summary>
    public Task Closed => _receiveLoop ?? Task.CompletedTask;

    /// <summary>Vouchers sent and not yet acknowledged (for tests and back-pressure decisions).</summary>
    public int PendingAcks
    {
        get
        {
            lock (_pendingAcks)
            {
                return _pendingAcks.Values.Sum(q => q.Count);
            }
        }
    }

    /// <summary>Closes the connection; pending calls fail.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_receiveLoop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        Fail(new ObjectDisposedException(nameof(PayeeStreamClient)));
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }

    private async Task SendFrameAsync(PayeeFrame frame, CancellationToken cancellationToken)
    {
        var bytes = PayeeFrameCodec.Encode(frame);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[PayeeFrames.MaxFrameLength + 1];
        try
        {
            while (true)
            {
                var length = 0;
                bool end;
                do
                {
                    if (length >= buffer.Length)
                    {
                        throw new PayeeProtocolException("The payee sent a frame longer than 128 bytes.");
                    }

                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await AnswerCloseAsync().ConfigureAwait(false);
                        throw new PayeeProtocolException($"The payee closed the connection ({_socket.CloseStatus}).");
                    }

                    length += result.Count;
                    end = result.EndOfMessage;
                }
                while (!end);

                if (!PayeeFrameCodec.TryDecode(buffer.AsSpan(0, length), out var frame, out var error))
                {
                    throw new PayeeProtocolException($"The payee sent an undecodable frame ({error}).");
                }

                Dispatch(frame);
            }
        }
#pragma warning disable CA1031 // Any end of the loop fails every pending call with its cause.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex is OperationCanceledException ? new ObjectDisposedException(nameof(PayeeStreamClient)) : ex);
        }
    }

    /// <summary>Completes the closing handshake the payee started (it then ends the connection at once).</summary>
    private async Task AnswerCloseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Dispatch(PayeeFrame frame)
    {
        switch (frame)
        {
            case HelloAckFrame hello:
                _hello.TrySetResult(hello);
                break;
            case AckFrame ack:
                TakePendingAck(ack.ChannelId, ack.SubmittedAmount)?.TrySetResult(ack);

                break;
            case ReceiptFrame receipt:
                _receipts.AddOrUpdate(receipt.ChannelId, receipt, (_, old) => old.CumulativeAmount >= receipt.CumulativeAmount ? old : receipt);

                // The payee also sends receipts unasked (every N vouchers): a request is answered by a receipt of its
                // own channel, never by another channel's that happened to arrive first.
                TakePendingReceipt(receipt.ChannelId)?.TrySetResult(receipt);

                ReceiptReceived?.Invoke(this, receipt);
                break;
            case RefundFrame refund:
                RefundReceived?.Invoke(this, refund);
                break;
            case ErrorFrame error:
                var exception = new PayeeProtocolException($"The payee answered ERROR {error.Code}.", error.Code);
                if (!_hello.Task.IsCompleted)
                {
                    _hello.TrySetException(exception);
                }
                else
                {
                    // An ERROR after HELLO answers the oldest receipt request (UnknownChannel: nothing stored).
                    TakePendingReceipt(null)?.TrySetException(exception);
                }

                break;
            default:
                throw new PayeeProtocolException($"The payee sent a client frame ({frame.Type}).");
        }
    }

    private TaskCompletionSource<AckFrame>? TakePendingAck(ChannelId channelId, BigInteger amount)
    {
        lock (_pendingAcks)
        {
            var key = (channelId, amount);
            if (!_pendingAcks.TryGetValue(key, out var queue) || !queue.TryDequeue(out var waiter))
            {
                return null;
            }

            if (queue.Count == 0)
            {
                _pendingAcks.Remove(key);
            }

            return waiter;
        }
    }

    private void Fail(Exception exception)
    {
        _failure ??= exception;
        _hello.TrySetException(exception);
        lock (_pendingAcks)
        {
            foreach (var queue in _pendingAcks.Values)
            {
                while (queue.TryDequeue(out var waiter))
                {
                    waiter.TrySetException(exception);
                }
            }

            _pendingAcks.Clear();
        }

        lock (_pendingReceipts)
        {
            foreach (var (_, waiter) in _pendingReceipts)
            {
                waiter.TrySetException(exception);
            }

            _pendingReceipts.Clear();
        }
    }

    /// <summary>Removes and returns the oldest receipt request of <paramref name="channelId"/> (of any channel if null).</summary>
    private TaskCompletionSource<ReceiptFrame>? TakePendingReceipt(ChannelId? channelId)
    {
        lock (_pendingReceipts)
        {
            var index = channelId is { } id ? _pendingReceipts.FindIndex(p => p.Channel == id) : (_pendingReceipts.Count > 0 ? 0 : -1);
            if (index < 0)
            {
                return null;
            }

            var waiter = _pendingReceipts[index].Waiter;
            _pendingReceipts.RemoveAt(index);
            return waiter;
        }
    }

    private void ThrowIfFailed(TaskCompletionSource<AckFrame> waiter)
    {
        if (_failure is { } failure)
        {
            waiter.TrySetException(failure);
            throw new PayeeProtocolException("The connection to the payee is closed.", failure);
        }
    }
}

using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.PayeeService.Streaming;

/// <summary>
/// One payer's long-lived WebSocket: HELLO first, then VOUCHER and RECEIPT_REQUEST frames in any number. Each voucher
/// is verified in arrival order (so a stream's amounts are reserved in order) and its durable write is awaited off
/// the receive loop, so many are in flight and group-committed together. At most
/// <see cref="PayeeServiceOptions.MaxInFlightPerConnection"/> are in flight: beyond that the loop stops reading and TCP
/// pushes back on the client. ACKs and RECEIPTs go out through one bounded outbox; a client that stops reading is
/// disconnected after <see cref="PayeeServiceOptions.SendTimeout"/>. Binary frames are answered in binary, JSON text
/// frames in JSON. On a stop, and after more than <see cref="PayeeServiceOptions.MaxBadFramesPerConnection"/> bad
/// frames, every ACK and ERROR owed is sent before the payee closes (EndpointUnavailable / PolicyViolation).
/// </summary>
internal sealed partial class StreamSession
{
    private const int MaxTextLength = PayeeJsonCodec.MaxInputLength;
    private const int MaxReceiptChannels = 4_096;

    private readonly WebSocket _socket;
    private readonly PayeeEngine _engine;
    private readonly PayeeServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<(PayeeFrame Frame, bool Json)> _outbox;
    private readonly SemaphoreSlim _inFlight;
    private readonly Dictionary<ChannelId, ReceiptCadence> _cadence = [];
    private readonly HashSet<ChannelId> _channels = [];
    private readonly CancellationTokenSource _abort = new();
    private static readonly TimeSpan CloseAnswerTimeout = TimeSpan.FromSeconds(2);

    private int _badFrames;
    private bool _helloDone;
    private bool _json;
    private volatile bool _tooManyBadFrames;
    private volatile bool _draining;

    public StreamSession(WebSocket socket, PayeeEngine engine, PayeeServiceOptions options, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _engine = engine;
        _options = options;
        _time = time;
        _logger = logger;
        _inFlight = new SemaphoreSlim(options.MaxInFlightPerConnection, options.MaxInFlightPerConnection);
        _outbox = Channel.CreateBounded<(PayeeFrame, bool)>(new BoundedChannelOptions(options.MaxInFlightPerConnection * 2 + 16)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        // The send loop is not cancelled by a stop or by too many bad frames: what is owed (ACKs of vouchers already
        // handed to the engine, ERRORs) is still sent, each frame within SendTimeout. Only a stalled client or a
        // broken socket ends it early. Cancelling a pending WebSocket receive aborts the socket, so a stop does not
        // cancel the receive loop either: it stops taking vouchers, flushes and closes, and the client's close answer
        // ends the receive.
        var sender = Task.Run(SendLoopAsync, CancellationToken.None);
        _engine.RefundIssued += OnRefundIssued;
        var receiving = ReceiveUntilDoneAsync();
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (stopping.Register(() => stop.TrySetResult()).ConfigureAwait(false))
        {
            await Task.WhenAny(receiving, stop.Task).ConfigureAwait(false);
        }

        // From here no new voucher reaches the engine (a stop answers them Unavailable).
        _draining = true;
        _engine.RefundIssued -= OnRefundIssued;

        // Let every voucher already handed to the engine finish: its write may already be durable and its ACK is
        // still owed. Then flush the outbox and close.
        for (var i = 0; i < _options.MaxInFlightPerConnection; i++)
        {
            await _inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _outbox.Writer.TryComplete();
        await sender.ConfigureAwait(false);
        await CloseAsync(receiving.IsCompleted ? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.EndpointUnavailable).ConfigureAwait(false);
        if (!receiving.IsCompleted)
        {
            // Stopping: wait briefly for the client to answer the close, then drop the connection.
            await Task.WhenAny(receiving, Task.Delay(CloseAnswerTimeout, _time)).ConfigureAwait(false);
            await _abort.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
        }

        _abort.Dispose();
        _inFlight.Dispose();
    }

    private async Task ReceiveUntilDoneAsync()
    {
        try
        {
            await ReceiveLoopAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
        }
        catch (WebSocketException ex)
        {
            LogConnectionLost(_logger, ex.WebSocketErrorCode);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxTextLength + 1];
        while (_socket.State == WebSocketState.Open && !_tooManyBadFrames)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(_options.IdleTimeout);
            var (length, type, oversized) = await ReceiveMessageAsync(buffer, idle.Token).ConfigureAwait(false);
            if (type == WebSocketMessageType.Close)
            {
                return;
            }

            var json = type == WebSocketMessageType.Text;
            if (oversized || (!json && length > PayeeFrames.MaxFrameLength))
            {
                await BadFrameAsync(VoucherRejectCode.OversizedFrame, json, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var bytes = buffer.AsSpan(0, length);
            PayeeFrame? frame;
            VoucherRejectCode error;
            var decoded = json ? PayeeJsonCodec.TryDecode(bytes, out frame, out error) : PayeeFrameCodec.TryDecode(bytes, out frame, out error);
            if (!decoded || frame is null)
            {
                await BadFrameAsync(error, json, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await HandleAsync(frame, json, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(int Length, WebSocketMessageType Type, bool Oversized)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        var oversized = false;
        while (true)
        {
            var free = length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(0);
            var result = await _socket.ReceiveAsync(free, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, WebSocketMessageType.Close, false);
            }

            if (oversized || length + result.Count > MaxTextLength)
            {
                // Too long for any frame: the rest is read into the same buffer and dropped, never accumulated.
                oversized = true;
                length = 0;
            }
            else
            {
                length += result.Count;
            }

            if (result.EndOfMessage)
            {
                return (length, result.MessageType, oversized);
            }
        }
    }

    private async Task HandleAsync(PayeeFrame frame, bool json, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case HelloFrame hello:
                await HelloAsync(hello, json, cancellationToken).ConfigureAwait(false);
                break;
            case VoucherFrame voucher when _helloDone && _draining:
                await SendAsync(AckFrame.FromOutcome(voucher.ChannelId, voucher.CumulativeAmount, new VoucherRejected(VoucherRejectCode.Unavailable, 0)), json, cancellationToken)
                    .ConfigureAwait(false);
                break;
            case VoucherFrame voucher when _helloDone:
                await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                ValueTask<VoucherOutcome> pending;
                try
                {
                    var submission = voucher.ToSubmission(_engine.ChainId, _engine.Contract);
                    await TrackAsync(submission.Key, cancellationToken).ConfigureAwait(false);
                    await OfferNewestRefundAsync(submission.Key, json, cancellationToken).ConfigureAwait(false);

                    // Runs the verification synchronously, in arrival order, up to the durable write.
                    pending = _engine.SubmitAsync(submission, cancellationToken);
                }
                catch
                {
                    _inFlight.Release();
                    throw;
                }

                _ = CompleteAsync(voucher, pending, json);
                break;
            case ReceiptRequestFrame request when _helloDone:
                var requested = new ChannelKey(_engine.ChainId, _engine.Contract, request.ChannelId);
                await TrackAsync(requested, cancellationToken).ConfigureAwait(false);
                var receipt = _engine.SignReceipt(requested);
                await SendAsync(
                    receipt is null ? new ErrorFrame(VoucherRejectCode.UnknownChannel) : ReceiptFrameOf(receipt), json, cancellationToken).ConfigureAwait(false);
                await OfferNewestRefundAsync(requested, json, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // A payee-side frame from a client, or a voucher before HELLO.
                await BadFrameAsync(VoucherRejectCode.MalformedFrame, json, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Loads a channel the engine does not hold yet, here on the receive loop. Otherwise the engine would load it from
    /// the chain inside <see cref="PayeeEngine.SubmitAsync"/>, asynchronously, once for each of the stream's first
    /// vouchers, and a later voucher could be verified before an earlier one: the earlier one is then refused as Stale
    /// although the payer sent them in order. A held channel completes synchronously. A failure to load is left to
    /// <see cref="PayeeEngine.SubmitAsync"/>, which answers that voucher (Unavailable) instead of dropping the stream.
    /// </summary>
    private async ValueTask TrackAsync(ChannelKey key, CancellationToken cancellationToken)
    {
        try
        {
            await _engine.TrackAsync(key, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // See above: SubmitAsync meets the same fault and answers it.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogTrackFailed(_logger, key.ChannelId, ex);
        }
    }

    private async Task HelloAsync(HelloFrame hello, bool json, CancellationToken cancellationToken)
    {
        PayeeFrame answer;
        if (hello.Version != PayeeFrames.Version)
        {
            answer = new ErrorFrame(VoucherRejectCode.MalformedFrame);
        }
        else if (hello.ChainId != _engine.ChainId)
        {
            answer = new ErrorFrame(VoucherRejectCode.WrongChain);
        }
        else if (hello.Contract != _engine.Contract)
        {
            answer = new ErrorFrame(VoucherRejectCode.WrongContract);
        }
        else
        {
            _helloDone = true;
            _json = json;
            answer = new HelloAckFrame(
                PayeeFrames.Version,
                _engine.ReceiptSignerAddress ?? Address.Zero,
                (ushort)_options.ReceiptEveryVouchers,
                (ushort)_options.ReceiptEverySeconds,
                (ushort)_options.MaxInFlightPerConnection);
        }

        await SendAsync(answer, json, cancellationToken).ConfigureAwait(false);
    }

    private async Task CompleteAsync(VoucherFrame voucher, ValueTask<VoucherOutcome> pending, bool json)
    {
        try
        {
            VoucherOutcome outcome;
            try
            {
                outcome = await pending.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                outcome = new VoucherRejected(VoucherRejectCode.Unavailable, 0);
            }
#pragma warning disable CA1031 // A store fault refuses this voucher (the payer retries it); the connection lives on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogStoreFault(_logger, voucher.ChannelId, ex);
                outcome = new VoucherRejected(VoucherRejectCode.Unavailable, 0);
            }

            await SendAsync(AckFrame.FromOutcome(voucher.ChannelId, voucher.CumulativeAmount, outcome), json, CancellationToken.None).ConfigureAwait(false);
            if (outcome is VoucherAccepted && ReceiptDue(voucher.ChannelId)
                && _engine.SignReceipt(new ChannelKey(_engine.ChainId, _engine.Contract, voucher.ChannelId)) is { } receipt)
            {
                await SendAsync(ReceiptFrameOf(receipt), json, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
            // The connection is going away; the voucher is stored (or not) either way, and the payer asks again.
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// The first time a channel shows up on this connection (its first VOUCHER or RECEIPT_REQUEST), sends the channel's
    /// newest refund if the payee issued one: a payer that was offline when it was issued (or restarted) gets it after
    /// reconnecting. Later refunds of the channel arrive through <see cref="OnRefundIssued"/>.
    /// </summary>
    private async ValueTask OfferNewestRefundAsync(ChannelKey key, bool json, CancellationToken cancellationToken)
    {
        bool first;
        lock (_channels)
        {
            first = _channels.Count < MaxReceiptChannels && _channels.Add(key.ChannelId);
        }

        if (first && _engine.GetNewestRefund(key) is { } refund)
        {
            await SendAsync(RefundFrame.FromSignedVoucher(refund.ToSignedVoucher()), json, cancellationToken).ConfigureAwait(false);
            LogRefundSent(_logger, key.ChannelId, refund.Cumulative);
        }
    }

    /// <summary>A refund was just issued (and stored): sends it if this connection carries the channel.</summary>
    private void OnRefundIssued(object? sender, IssuedRefund refund)
    {
        if (refund.Key.ChainId != _engine.ChainId || refund.Key.Contract != _engine.Contract || _draining)
        {
            return;
        }

        lock (_channels)
        {
            if (!_channels.Contains(refund.Key.ChannelId))
            {
                return;
            }
        }

        // Never blocks the issuer: a full outbox (a client that stopped reading) drops it; the payer gets the newest
        // refund after its next reconnect, or by polling GET …/refund.
        if (_outbox.Writer.TryWrite((RefundFrame.FromSignedVoucher(refund.ToSignedVoucher()), _json)))
        {
            LogRefundSent(_logger, refund.Key.ChannelId, refund.Cumulative);
        }
    }

    private bool ReceiptDue(ChannelId channelId)
    {
        var now = _time.GetTimestamp();
        lock (_cadence)
        {
            if (!_cadence.TryGetValue(channelId, out var cadence))
            {
                if (_cadence.Count >= MaxReceiptChannels)
                {
                    _cadence.Clear();
                }

                cadence = new ReceiptCadence { LastSent = now };
                _cadence[channelId] = cadence;
            }

            cadence.Accepted++;
            if (cadence.Accepted >= _options.ReceiptEveryVouchers
                || _time.GetElapsedTime(cadence.LastSent, now) >= TimeSpan.FromSeconds(_options.ReceiptEverySeconds))
            {
                cadence.Accepted = 0;
                cadence.LastSent = now;
                return true;
            }

            return false;
        }
    }

    private static ReceiptFrame ReceiptFrameOf(Channels.Payee.Receipts.PaymentReceipt receipt) =>
        new(receipt.Key.ChannelId, receipt.Cumulative, receipt.IssuedAt, receipt.Signature.ToRsv());

    private async Task BadFrameAsync(VoucherRejectCode code, bool json, CancellationToken cancellationToken)
    {
        LogBadFrame(_logger, code);
        await SendAsync(new ErrorFrame(code), json, cancellationToken).ConfigureAwait(false);
        if (++_badFrames > _options.MaxBadFramesPerConnection)
        {
            // Stop reading; the ERRORs already queued are still sent, then the connection is closed (policy violation).
            _tooManyBadFrames = true;
        }
    }

    private ValueTask SendAsync(PayeeFrame frame, bool json, CancellationToken cancellationToken) =>
        _outbox.Writer.WriteAsync((frame, json), cancellationToken);

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var (frame, json) in _outbox.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                {
                    continue;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
                timeout.CancelAfter(_options.SendTimeout);
                var bytes = json ? PayeeJsonCodec.EncodeUtf8(frame) : PayeeFrameCodec.Encode(frame);
                await _socket.SendAsync(bytes, json ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // A stalled or vanished client: stop reading from it too; what is queued is dropped.
            LogSendFailed(_logger);
            _outbox.Writer.TryComplete();
            await _abort.CancelAsync().ConfigureAwait(false);
            while (_outbox.Reader.TryRead(out _))
            {
            }
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus unanswered)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // Answer a client's close normally; otherwise say why the payee closes.
                var status = _socket.State == WebSocketState.CloseReceived ? WebSocketCloseStatus.NormalClosure
                    : _tooManyBadFrames ? WebSocketCloseStatus.PolicyViolation
                    : unanswered;
                using var timeout = new CancellationTokenSource(CloseAnswerTimeout, _time);
                await _socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Refused a frame: {Code}")]
    private static partial void LogBadFrame(ILogger logger, VoucherRejectCode code);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Storing a voucher of channel {Channel} failed; refused as Unavailable")]
    private static partial void LogStoreFault(ILogger logger, ChannelId channel, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "A client stopped reading its acknowledgements; disconnected")]
    private static partial void LogSendFailed(ILogger logger);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Loading channel {Channel} from the chain failed")]
    private static partial void LogTrackFailed(ILogger logger, ChannelId channel, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Sent the refund of channel {Channel} ({Cumulative} in total)")]
    private static partial void LogRefundSent(ILogger logger, ChannelId channel, System.Numerics.BigInteger cumulative);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Connection lost: {Error}")]
    private static partial void LogConnectionLost(ILogger logger, WebSocketError error);

    private sealed class ReceiptCadence
    {
        public int Accepted { get; set; }

        public long LastSent { get; set; }
    }
}

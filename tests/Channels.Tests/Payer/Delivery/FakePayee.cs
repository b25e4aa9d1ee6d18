using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Transport;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payer.Delivery;

/// <summary>
/// A payee stream on a loopback port (HttpListener WebSockets): answers HELLO, records every VOUCHER in arrival order and
/// answers it with <see cref="OnVoucher"/> (accept by default), answers RECEIPT_REQUEST with <see cref="OnReceiptRequest"/>
/// (an ERROR frame by default), and can push frames to every connection.
/// </summary>
internal sealed class FakePayee : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<VoucherFrame> _vouchers = [];
    private readonly List<(WebSocket Socket, SemaphoreSlim SendLock)> _connections = [];
    private readonly Task _accepting;
    private readonly PrivateKey _key;
    private int _open;

    public FakePayee(PrivateKey payeeKey)
    {
        _key = payeeKey;
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Url = new Uri($"ws://127.0.0.1:{port}/");
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public Uri Url { get; }

    /// <summary>The payee's answer to a voucher; may wait (the ACK is held back until it returns).</summary>
    public Func<VoucherFrame, Task<AckFrame>> OnVoucher { get; set; } =
        v => Task.FromResult(new AckFrame(v.ChannelId, AckOutcome.Accepted, null, v.CumulativeAmount, v.CumulativeAmount));

    public Func<ReceiptRequestFrame, PayeeFrame> OnReceiptRequest { get; set; } = _ => new ErrorFrame(VoucherRejectCode.UnknownChannel);

    /// <summary>Connections not yet closed.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public int Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Vouchers received, in arrival order.</summary>
    public IReadOnlyList<VoucherFrame> Vouchers
    {
        get
        {
            lock (_vouchers)
            {
                return [.. _vouchers];
            }
        }
    }

    /// <summary>A RECEIPT frame the payee signs for <paramref name="key"/> at <paramref name="amount"/>.</summary>
    public ReceiptFrame Receipt(ChannelKey key, int amount) =>
        new(key.ChannelId, amount, 1_700_000_000, new ReceiptSigner(_key).Sign(key, amount, 1_700_000_000).Signature.ToRsv());

    /// <summary>Sends <paramref name="frame"/> on every open connection.</summary>
    public async Task PushAsync(PayeeFrame frame)
    {
        (WebSocket, SemaphoreSlim)[] all;
        lock (_connections)
        {
            all = [.. _connections];
        }

        foreach (var (socket, sendLock) in all)
        {
            await SendAsync(socket, sendLock, frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        (WebSocket Socket, SemaphoreSlim)[] all;
        lock (_connections)
        {
            all = [.. _connections];
        }

        foreach (var (socket, _) in all)
        {
            socket.Abort();
        }

        _listener.Stop();
        _listener.Close();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim sendLock, PayeeFrame frame)
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(PayeeFrameCodec.Encode(frame), WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (!context.Request.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                context.Response.Close();
                continue;
            }

            var socket = (await context.AcceptWebSocketAsync(null)).WebSocket;
            var sendLock = new SemaphoreSlim(1, 1);
            lock (_connections)
            {
                _connections.Add((socket, sendLock));
            }

            Interlocked.Increment(ref _open);
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(socket, sendLock);
                }
                finally
                {
                    Interlocked.Decrement(ref _open);
                }
            });
        }
    }

    private async Task ServeAsync(WebSocket socket, SemaphoreSlim sendLock)
    {
        var buffer = new byte[256];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (!PayeeFrameCodec.TryDecode(buffer.AsSpan(0, result.Count), out var frame, out _))
                {
                    return;
                }

                switch (frame)
                {
                    case HelloFrame hello:
                        await SendAsync(socket, sendLock, new HelloAckFrame(hello.Version, _key.Address, 0, 0, 64));
                        break;
                    case VoucherFrame voucher:
                        lock (_vouchers)
                        {
                            _vouchers.Add(voucher);
                        }

                        var ack = await OnVoucher(voucher);
                        await SendAsync(socket, sendLock, ack);
                        break;
                    case ReceiptRequestFrame request:
                        await SendAsync(socket, sendLock, OnReceiptRequest(request));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}

using System.Net.WebSockets;
using System.Text;
using Settlement.Channels.Transport;
using Settlement.Ethereum.Addresses;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>A bare WebSocket to the payee, for bytes no well-behaved client would send.</summary>
internal sealed class RawStream : IAsyncDisposable
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Wraps a connected socket (the caller connected it itself).</summary>
    public RawStream(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<RawStream> ConnectAsync(Uri url)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(url, CancellationToken.None);
            return new RawStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects and completes HELLO for the payee's own deployment.</summary>
    public static async Task<RawStream> ConnectHelloAsync(Uri url, ulong chainId, Address contract)
    {
        var raw = await ConnectAsync(url);
        await raw.SendAsync(new HelloFrame(PayeeFrames.Version, chainId, contract));
        (await raw.ReceiveFrameAsync()).ShouldBeOfType<HelloAckFrame>();
        return raw;
    }

    public Task SendAsync(PayeeFrame frame) => SendBinaryAsync(PayeeFrameCodec.Encode(frame));

    public Task SendBinaryAsync(byte[] bytes) => Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendTextAsync(string text) => Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message: its type and bytes (type Close when the payee closed).</summary>
    public async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReceiveTimeout);
        var buffer = new byte[8192];
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (result.MessageType, buffer[..length]);
            }
        }
    }

    /// <summary>The next frame (binary or JSON); fails on a close or an undecodable message.</summary>
    public async Task<PayeeFrame> ReceiveFrameAsync(TimeSpan? timeout = null)
    {
        var (type, bytes) = await ReceiveAsync(timeout);
        type.ShouldNotBe(WebSocketMessageType.Close, "the payee closed the stream");
        PayeeFrame? frame;
        var decoded = type == WebSocketMessageType.Text
            ? PayeeJsonCodec.TryDecode(bytes, out frame, out var error)
            : PayeeFrameCodec.TryDecode(bytes, out frame, out error);
        decoded.ShouldBeTrue($"the payee sent an undecodable frame ({error})");
        return frame!;
    }

    /// <summary>Sends a voucher and returns its ACK.</summary>
    public async Task<AckFrame> SubmitAsync(VoucherFrame voucher)
    {
        await SendAsync(voucher);
        while (true)
        {
            var frame = await ReceiveFrameAsync();
            if (frame is AckFrame ack)
            {
                return ack;
            }

            frame.ShouldBeOfType<ReceiptFrame>("only receipts may come between a voucher and its ACK");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        Socket.Dispose();
    }
}

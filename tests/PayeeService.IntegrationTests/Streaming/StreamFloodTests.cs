using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Streaming;

/// <summary>Clients that take too much: too many connections, a client that never reads, a client sending garbage.</summary>
[Collection(PayeeCollection.Name)]
public sealed class StreamFloodTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Connect_BeyondMaxConnections_ExtraOnesGet503AndServiceStillServes()
    {
        const int max = 4;
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output, o => o.MaxConnections = max);
        var clients = new List<PayeeStreamClient>();
        try
        {
            for (var i = 0; i < max; i++)
            {
                clients.Add(await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract));
            }

            for (var i = 0; i < 3; i++)
            {
                using var extra = new ClientWebSocket();
                extra.Options.CollectHttpResponseDetails = true;
                await Should.ThrowAsync<WebSocketException>(() => extra.ConnectAsync(payee.StreamUrl, CancellationToken.None));
                extra.HttpStatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            }

            (await payee.OpenStreamsAsync()).ShouldBe(max);
            (await clients[0].SendAsync(channel.Voucher(1))).Outcome.ShouldBe(AckOutcome.Accepted);

            // A freed place is taken again.
            await clients[^1].DisposeAsync();
            clients.RemoveAt(clients.Count - 1);
            await WaitUntilAsync(async () => await payee.OpenStreamsAsync() < max);
            clients.Add(await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract));
            (await clients[^1].SendAsync(channel.Voucher(2))).Outcome.ShouldBe(AckOutcome.Accepted);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Connect_AtTheLimitRightAfterAClose_ServedOrRefused503NeverAServerError()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(null, o => o.MaxConnections = 1);
        var refused = 0;
        for (var i = 1; i <= 100; i++)
        {
            while (true)
            {
                var socket = new ClientWebSocket();
                socket.Options.CollectHttpResponseDetails = true;
                try
                {
                    await socket.ConnectAsync(payee.StreamUrl, CancellationToken.None);
                }
                catch (WebSocketException)
                {
                    socket.HttpStatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, $"connection {i}");
                    socket.Dispose();
                    refused++;
                    continue;
                }

                var raw = new RawStream(socket);
                await raw.SendAsync(new HelloFrame(PayeeFrames.Version, fixture.ChainId, fixture.Contract));
                (await raw.ReceiveFrameAsync()).ShouldBeOfType<HelloAckFrame>();
                (await raw.SubmitAsync(channel.Voucher(i))).Outcome.ShouldBe(AckOutcome.Accepted);
                await raw.DisposeAsync();
                break;
            }
        }

        output.WriteLine($"100 connections one after another at a limit of 1; {refused} refused with 503 while the previous one was ending");
    }

    [Fact]
    public async Task Stream_ClientNeverReads_DisconnectedAfterSendTimeoutWhileAnotherKeepsStreaming()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000_000);
        await using var payee = await fixture.StartPayeeAsync(output, o =>
        {
            o.SendTimeout = TimeSpan.FromSeconds(1);
            o.MaxInFlightPerConnection = 16;
        });
        await using var good = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        await using var stalled = await RawStream.ConnectHelloAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);

        // Cheap for the payee to refuse (unknown channel), so the ACKs pile up fast in the stalled client's direction.
        var junk = PayeeFrameCodec.Encode(VoucherFrame.FromSignedVoucher(
            fixture.World.Channels.SignVoucher(fixture.World.PayerKey, ChannelId.FromBytes(RandomNumberGenerator.GetBytes(32)), 1)));
        var sent = 0L;
        var flood = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await stalled.SendBinaryAsync(junk);
                    sent++;
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                return ex;
            }
        });

        var amount = 0;
        var clock = Stopwatch.StartNew();
        while (!flood.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var ack = await good.SendAsync(channel.Voucher(++amount)).WaitAsync(TimeSpan.FromSeconds(10));
            ack.Outcome.ShouldBe(AckOutcome.Accepted);
        }

        flood.IsCompleted.ShouldBeTrue($"the stalled client was not disconnected in 60 s ({sent} vouchers sent)");
        output.WriteLine($"stalled client disconnected after {clock.Elapsed.TotalSeconds:F1} s and {sent} vouchers: {(await flood).GetType().Name}; the other streamed {amount}");
        await WaitUntilAsync(async () => await payee.OpenStreamsAsync() == 1);
        (await good.SendAsync(channel.Voucher(++amount))).Outcome.ShouldBe(AckOutcome.Accepted);
    }

    [Fact]
    public async Task Stream_GarbageBeyondMaxBadFrames_ConnectionClosedAndServiceStillServes()
    {
        const int maxBad = 5;
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output, o => o.MaxBadFramesPerConnection = maxBad);
        await using var raw = await RawStream.ConnectHelloAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);

        for (var i = 0; i < maxBad * 4; i++)
        {
            try
            {
                await raw.SendBinaryAsync([0x7F, (byte)i]);
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        var errors = 0;
        var closed = false;
        while (!closed)
        {
            try
            {
                var (type, bytes) = await raw.ReceiveAsync(TimeSpan.FromSeconds(10));
                if (type == WebSocketMessageType.Close)
                {
                    closed = true;
                }
                else
                {
                    PayeeFrameCodec.TryDecode(bytes, out var frame, out _).ShouldBeTrue();
                    frame.ShouldBe(new ErrorFrame(VoucherRejectCode.MalformedFrame));
                    errors++;
                }
            }
            catch (WebSocketException)
            {
                closed = true;
            }
        }

        // Every bad frame is answered (the ERRORs are flushed), then the payee closes: policy violation.
        output.WriteLine($"{errors} ERROR frames before the payee closed the connection ({raw.Socket.CloseStatus})");
        errors.ShouldBe(maxBad + 1);
        raw.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.PolicyViolation);
        await WaitUntilAsync(async () => await payee.OpenStreamsAsync() == 0);
        await using var next = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await next.SendAsync(channel.Voucher(1))).Outcome.ShouldBe(AckOutcome.Accepted);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "condition not reached");
            await Task.Delay(20);
        }
    }
}

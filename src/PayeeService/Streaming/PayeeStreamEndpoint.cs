using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;

namespace Settlement.PayeeService.Streaming;

/// <summary><c>GET /v1/stream</c>: upgrades to a WebSocket and runs a <see cref="StreamSession"/>.</summary>
internal sealed class PayeeStreamEndpoint(
    PayeeEngine engine, PayeeServiceOptions options, TimeProvider time, ILoggerFactory loggers, ConnectionLimiter limiter, IHostApplicationLifetime lifetime)
{
    private readonly ILogger _logger = loggers.CreateLogger("Settlement.PayeeService.Stream");

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(
                title: "WebSocket required", detail: "GET /v1/stream is a WebSocket endpoint (docs/payee.md).", statusCode: StatusCodes.Status400BadRequest)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!limiter.TryEnter())
        {
            await Results.Problem(
                title: "Too many connections", detail: $"This payee serves at most {options.MaxConnections} streams at once.", statusCode: StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            WebSocket socket;
            try
            {
                socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(30) })
                    .ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (!context.Response.HasStarted)
            {
                // Kestrel refused the upgrade (its upgraded-connection count has not dropped yet): a busy server, not a fault.
                await Results.Problem(
                    title: "Too many connections", detail: "The server is still closing earlier streams; retry.", statusCode: StatusCodes.Status503ServiceUnavailable)
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            using var ownedSocket = socket;
            var session = new StreamSession(socket, engine, options, time, _logger);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            await session.RunAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            limiter.Exit();
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Settlement.Channels.Payee;
using Settlement.Ethereum.Signing;
using Settlement.Hosting;
using Settlement.PayeeService.Hosting;
using Settlement.PayeeService.Http;
using Settlement.PayeeService.Streaming;

namespace Settlement.PayeeService;

/// <summary>
/// The payee service on 127.0.0.1: WebSocket streams (<c>/v1/stream</c>), one-shot vouchers over HTTP, status,
/// receipts, flags, health and metrics, over a SQLite or PostgreSQL voucher store and the chain node's confirmed
/// state. Started by <c>l2pay serve payee</c> and by tests; stopping it finishes every queued write.
/// </summary>
public sealed class PayeeServiceHost : IAsyncDisposable
{
    private readonly ServiceApp _app;

    private PayeeServiceHost(ServiceApp app) => _app = app;

    /// <summary>The service's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl => _app.BaseUrl;

    /// <summary>The WebSocket URL of the stream endpoint.</summary>
    public Uri StreamUrl => new($"ws://{BaseUrl.Authority}/v1/stream");

    /// <summary>The engine (for in-process callers: the credit API, waiting for payment).</summary>
    public PayeeEngine Engine => _app.Services.GetRequiredService<PayeeEngine>();

    /// <summary>
    /// Validates <paramref name="options"/>, connects to the chain node, migrates the store, loads stored channels and
    /// starts listening. <paramref name="receiptKey"/> (the payee's key) signs receipts and close agreements; the caller keeps
    /// ownership. <paramref name="time"/> is the clock (the system's unless given).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it).</exception>
    public static async Task<PayeeServiceHost> StartAsync(
        PayeeServiceOptions options, PrivateKey? receiptKey, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var builder = ServiceApp.CreateBuilder(IPAddress.Loopback, options.Port, logging, limits =>
        {
            limits.MaxConcurrentConnections = options.MaxConnections + 64;
            // Our ConnectionLimiter is the limit that answers 503. Kestrel's own count of upgraded connections drops only when
            // the transport has finished closing, after our session has already given its place back, so it gets the same
            // slack as the plain connection limit: equal to ours, it refused the next upgrade with a 500 (seen in CI).
            limits.MaxConcurrentUpgradedConnections = options.MaxConnections + 64;
            limits.MaxRequestBodySize = Channels.Transport.PayeeJsonCodec.MaxInputLength;
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(15));

        var services = builder.Services;
        services.AddPayeeService(options, receiptKey, time);
        services.AddSingleton(new ConnectionLimiter(options.MaxConnections));
        services.AddSingleton<PayeeMetricsSnapshot>();
        services.AddSingleton<PayeeStreamEndpoint>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(PayeeMetrics.MeterName, Channels.Payee.Policy.PayeePolicyMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.Services.GetRequiredService<PayeeMetricsSnapshot>();
        app.UseWebSockets();
        app.MapGet("/v1/stream", (HttpContext context, PayeeStreamEndpoint stream) => stream.HandleAsync(context));
        PayeeHttpEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics/prometheus");

        return new PayeeServiceHost(await ServiceApp.StartAsync(app, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Stops taking requests, finishes queued writes and stops. Idempotent: a lifetime hook and an <c>await using</c> may
    /// both dispose the host.
    /// </summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Settlement.Channels.Payee;
using Settlement.Ethereum.Signing;
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
    private readonly WebApplication _app;
    private int _disposed;
    private PayeeServiceHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The service's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

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
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = options.MaxConnections + 64;
            // Our ConnectionLimiter is the limit that answers 503. Kestrel's own count of upgraded connections drops only when
            // the transport has finished closing, after our session has already given its place back, so it gets the same
            // slack as the plain connection limit: equal to ours, it refused the next upgrade with a 500 (seen in CI).
            k.Limits.MaxConcurrentUpgradedConnections = options.MaxConnections + 64;
            k.Limits.MaxRequestBodySize = Channels.Transport.PayeeJsonCodec.MaxInputLength;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Listen(IPAddress.Loopback, options.Port);
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

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PayeeServiceHost(app, new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/"));
    }

    /// <summary>Stops taking requests, finishes queued writes and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        // Idempotent: a lifetime hook and an `await using` may both dispose the host.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

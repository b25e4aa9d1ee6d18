using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Signing;
using Settlement.WatchtowerService.Hosting;
using Settlement.WatchtowerService.Http;

namespace Settlement.WatchtowerService;

/// <summary>
/// The watchtower service on 127.0.0.1: <c>POST /delegations</c>, <c>GET /delegations/{channelId}</c>, <c>GET /alerts</c>,
/// health and metrics, with the follower running as a hosted service. Started by <c>l2pay serve watchtower</c>, the demo
/// and tests.
/// </summary>
public sealed class WatchtowerServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private WatchtowerServiceHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The service's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The follower (for in-process callers that want to poll now rather than wait for the interval).</summary>
    public WatchtowerFollower Follower => _app.Services.GetRequiredService<WatchtowerFollower>();

    /// <summary>The metrics (totals since this host started).</summary>
    public WatchtowerMetrics Metrics => _app.Services.GetRequiredService<WatchtowerMetrics>();

    /// <summary>The store.</summary>
    public IWatchtowerStore Store => _app.Services.GetRequiredService<IWatchtowerStore>();

    /// <summary>
    /// Validates <paramref name="options"/>, migrates the store, starts the follower and starts listening.
    /// <paramref name="gasKey"/> pays the watchtower's gas; the caller keeps ownership.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it).</exception>
    public static async Task<WatchtowerServiceHost> StartAsync(
        WatchtowerServiceOptions options, PrivateKey gasKey, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gasKey);
        options.ThrowIfInvalid();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = DelegationJson.MaxLength;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Listen(IPAddress.Loopback, options.Port);
        });
        builder.Services.AddWatchtowerService(options, gasKey);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(WatchtowerMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        WatchtowerHttpEndpoints.Map(app);
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
        return new WatchtowerServiceHost(app, new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/"));
    }

    /// <summary>Stops the follower and the server.</summary>
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

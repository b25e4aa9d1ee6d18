using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Signing;
using Settlement.Hosting;
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
    private readonly ServiceApp _app;

    private WatchtowerServiceHost(ServiceApp app) => _app = app;

    /// <summary>The service's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl => _app.BaseUrl;

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
        var builder = ServiceApp.CreateBuilder(IPAddress.Loopback, options.Port, logging, limits => limits.MaxRequestBodySize = DelegationJson.MaxLength);
        builder.Services.AddWatchtowerService(options, gasKey);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(WatchtowerMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        WatchtowerHttpEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics/prometheus");
        return new WatchtowerServiceHost(await ServiceApp.StartAsync(app, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops the follower and the server. Idempotent: a lifetime hook and an <c>await using</c> may both dispose the host.</summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

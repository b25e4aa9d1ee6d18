using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.DashboardService.Access;
using Settlement.DashboardService.Http;
using Settlement.DashboardService.Snapshots;
using Settlement.DashboardService.Upstreams;
using Settlement.Hosting;

namespace Settlement.DashboardService;

/// <summary>
/// The live merchant dashboard (docs/dashboard.md): one page that shows channels, payment rates, receipts, ledger
/// balances and journal integrity, flows (payouts, bank payment states), reconciliation breaks and watchtower alerts,
/// read from the payee, settlement and watchtower services' query endpoints and pushed to the browser as server-sent
/// events. Read-only. On loopback it needs no credentials; on any other address it refuses to start without a bearer
/// token. Started by <c>l2pay serve dashboard</c>, <c>l2pay demo --dashboard</c> and the browser tests.
/// </summary>
public sealed class DashboardServiceHost : IAsyncDisposable
{
    private readonly ServiceApp _app;

    private DashboardServiceHost(ServiceApp app, DashboardUpstreams upstreams)
    {
        _app = app;
        Upstreams = upstreams;
    }

    /// <summary>The page's URL, <c>http://ADDRESS:PORT/</c>.</summary>
    public Uri BaseUrl => _app.BaseUrl;

    /// <summary>The upstream services read; a caller may point the dashboard at a service started later.</summary>
    public DashboardUpstreams Upstreams { get; }

    /// <summary>Validates <paramref name="options"/>, starts polling the upstream services and starts listening.</summary>
    /// <param name="options">The settings; validated first.</param>
    /// <param name="logging">Optional logging providers (none by default).</param>
    /// <param name="time">The clock (snapshot times and rates); the system clock by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it, <c>Dashboard:…</c>), e.g. a non-loopback address without a token.</exception>
    public static async Task<DashboardServiceHost> StartAsync(
        DashboardServiceOptions options,
        Action<ILoggingBuilder>? logging = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var builder = ServiceApp.CreateBuilder(options.Address, options.Port, logging, limits => limits.MaxRequestBodySize = 0);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var upstreams = new DashboardUpstreams(options);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(upstreams);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton<SnapshotHub>();
        services.AddHttpClient<UpstreamReader>(http => http.Timeout = options.UpstreamTimeout);
        services.AddSingleton<DashboardSnapshotBuilder>();
        services.AddSingleton<SnapshotPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotPoller>());

        var app = builder.Build();
        var gate = new BearerTokenGate(options.BearerToken);
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            // Only the page's own script and style; no inline script, so an upstream string can never run as code.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
            await next(context).ConfigureAwait(false);
        });
        app.Use((context, next) => gate.InvokeAsync(context, _ => next()));
        DashboardEndpoints.Map(app);

        return new DashboardServiceHost(await ServiceApp.StartAsync(app, cancellationToken).ConfigureAwait(false), upstreams);
    }

    /// <summary>
    /// Reads the upstream services now and pushes the snapshot to the page, without waiting for the next poll: a caller
    /// about to stop an upstream service (the demo, between its steps) lets the page see its final state first.
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) =>
        _app.Services.GetRequiredService<SnapshotPoller>().RefreshAsync(cancellationToken);

    /// <summary>Stops polling and listening (open event streams end). Idempotent.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Stops (as <see cref="StopAsync"/>) and releases everything. Idempotent.</summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

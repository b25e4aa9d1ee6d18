using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Settlement.Service.Flows;
using Settlement.SettlementService.Hosting;
using Settlement.SettlementService.Http;
using Settlement.SettlementService.Indexer;
using Settlement.SettlementService.OpenBanking;

namespace Settlement.SettlementService;

/// <summary>
/// The settlement service on 127.0.0.1: the ledger, the chain indexer follower, pending-transfer expiry and (with an
/// open-banking configuration) the transfer resume worker and the banks' event-notification webhook, with
/// <c>/health</c>, <c>/metrics/prometheus</c> and <c>/ledger/accounts</c>. Started by <c>l2pay serve settlement</c> and
/// by tests. Stopping it stops taking requests and lets the indexer's current poll finish within
/// <see cref="SettlementServiceOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class SettlementServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private SettlementServiceHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The service's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The container (for in-process callers and tests: the ledger store, the indexer).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Cancelled when the host begins to stop (<see cref="StopAsync"/>).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Validates <paramref name="options"/>, registers everything, runs <paramref name="configureServices"/> (where the
    /// settlement flows are added: <c>services.AddSettlementFlows(…)</c>; it may also replace a registration, e.g. the
    /// <see cref="TimeProvider"/>), migrates the ledger, starts the hosted services and starts listening.
    /// </summary>
    /// <param name="options">The settings; validated first.</param>
    /// <param name="configureServices">Optional: more services (the flows and payout schedule), run after the host's own registrations.</param>
    /// <param name="logging">Optional: logging providers (none by default; the CLI adds the JSON console formatter).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it, <c>Settlement:Service:…</c> or <c>OpenBanking:…</c>).</exception>
    public static async Task<SettlementServiceHost> StartAsync(
        SettlementServiceOptions options,
        Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        if (options.OpenBankingConfigPath is { } bankConfig)
        {
            // The OpenBanking section; OpenBanking__… environment variables still override it.
            builder.Configuration.AddJsonFile(Path.GetFullPath(bankConfig), optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables();
        }

        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Listen(IPAddress.Loopback, options.Port);
        });
        // The host's own hosted services never fault (each logs and retries); one added through the hook that does stops
        // the host (the default behaviour), so a dead flow is loud rather than a silent gap behind a healthy /health.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);

        var services = builder.Services;
        services.AddSettlementService(options);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(SettlementServiceMetrics.MeterName).AddPrometheusExporter());
        configureServices?.Invoke(services);

        var app = builder.Build();
        SettlementHttpEndpoints.Map(app);
        if (app.Services.GetService<SettlementFlows>() is not null)
        {
            FlowHttpEndpoints.Map(app);
        }
        app.MapPrometheusScrapingEndpoint("/metrics/prometheus");
        if (options.OpenBankingConfigPath is not null)
        {
            app.MapOpenBankingEventNotifications();
        }

        try
        {
            // The meter exists before the first scrape, even when nothing has polled yet.
            app.Services.GetRequiredService<SettlementServiceMetrics>();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ArgumentException("Invalid settlement service settings: " + ex.Message, nameof(options), ex);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SettlementServiceHost(app, new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/"));
    }

    /// <summary>
    /// Stops taking requests, lets the indexer's current poll and the requests in flight finish (within
    /// <see cref="SettlementServiceOptions.ShutdownTimeout"/>, or until <paramref name="cancellationToken"/>), and stops
    /// every hosted service. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops (as <see cref="StopAsync"/>) and releases everything.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

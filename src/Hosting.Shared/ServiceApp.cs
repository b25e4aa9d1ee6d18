using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Settlement.Hosting;

/// <summary>
/// What the payee, watchtower and dashboard service hosts share (compiled into each, internal): a slim web application
/// with no logging providers unless given, Kestrel without its server header, 16 KiB of request headers at most and one
/// listening address; starting it (disposed again if the start fails) and reading the bound URL; stopping and disposing
/// it once however often a caller asks (a lifetime hook and an <c>await using</c> may both dispose a host).
/// </summary>
internal sealed class ServiceApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;
    private int _disposed;

    private ServiceApp(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The bound base URL, <c>http://ADDRESS:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>A builder listening on <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    /// <param name="address">The address to listen on (the payee and watchtower: always loopback).</param>
    /// <param name="port">The port.</param>
    /// <param name="logging">Optional logging providers (none by default).</param>
    /// <param name="limits">The host's own Kestrel limits (body size, connections).</param>
    public static WebApplicationBuilder CreateBuilder(IPAddress address, int port, Action<ILoggingBuilder>? logging, Action<KestrelServerLimits> limits)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(limits);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            limits(k.Limits);
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Listen(address, port);
        });
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> (disposing it if the start fails) and reads the address it bound.</summary>
    /// <param name="app">The built application; owned from here on.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ServiceApp> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
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
        return new ServiceApp(app, new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/"));
    }

    /// <summary>Stops listening and the hosted services, once; later calls return at once.</summary>
    /// <param name="cancellationToken">Ends a graceful stop early.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops (as <see cref="StopAsync"/>) and releases everything, once; later calls return at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

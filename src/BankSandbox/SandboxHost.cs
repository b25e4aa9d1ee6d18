using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Admin;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.OAuth;
using Settlement.BankSandbox.Payments;

namespace Settlement.BankSandbox;

/// <summary>
/// A running bank sandbox: Kestrel over HTTPS on 127.0.0.1 with the OIDC server, the OBIE PIS endpoints (v3.1.11 and
/// v4.0), the OBIE VRP v4.0 sweeping endpoints, admin endpoints, a background loop for status progression and notifications, and in-process control objects.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxRuntime _runtime;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _disposed;

    private SandboxHost(WebApplication app, SandboxRuntime runtime, X509Certificate2 certificate, int port)
    {
        _app = app;
        _runtime = runtime;
        TlsCertificate = certificate;
        Issuer = "https://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        BaseUrl = new Uri(Issuer + "/");
        runtime.Issuer = Issuer;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>https://127.0.0.1:PORT/ (always the IP spelling).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The OIDC issuer: <see cref="BaseUrl"/> without the trailing slash (use as MSAL's OIDC authority).</summary>
    public string Issuer { get; }

    /// <summary>The self-signed TLS server certificate (public part is what clients should trust).</summary>
    public X509Certificate2 TlsCertificate { get; }

    /// <summary>The accounts and balances.</summary>
    public SandboxAccounts Accounts => _runtime.Accounts;

    /// <summary>The registered clients.</summary>
    public SandboxClients Clients => _runtime.Clients;

    /// <summary>Fault injection rules.</summary>
    public FaultInjector Faults => _runtime.Faults;

    /// <summary>The simulated customer's decisions.</summary>
    public CustomerSimulator Customer => _runtime.Customer;

    /// <summary>The bank's public signing keys as a JWKS document (same as <c>/jwks</c>).</summary>
    public string JwksJson => _runtime.SigningKey.JwksJson;

    /// <summary>The bank's public signing keys.</summary>
    public JsonWebKeySet SigningKeys => new(JwksJson);

    /// <summary>Notifications answered 2xx so far (duplicates included).</summary>
    public long NotificationsDelivered => _runtime.Notifications.Delivered;

    /// <summary>Consents stored so far (every version and client): lets tests prove a refused request stored nothing.</summary>
    public int ConsentCount => _runtime.Ledger.ConsentCount;

    /// <summary>The PIS v4.0 base URL, which also serves the VRP endpoints (<c>domestic-vrp-consents</c>, <c>domestic-vrps</c>).</summary>
    public Uri VrpBaseUrl => PispBaseUrl(PisVersion.V4);

    /// <summary>Domestic payments and domestic VRPs stored so far.</summary>
    public int PaymentCount => _runtime.Ledger.PaymentCount;

    internal SandboxRuntime Runtime => _runtime;

    /// <summary>Starts a sandbox.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var certificate = TlsCertificateFactory.Create();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificate));
        });
        var app = builder.Build();
        var runtime = new SandboxRuntime(options, app.Services.GetRequiredService<ILoggerFactory>());
        app.Use((ctx, next) => PisConformanceMiddleware.InvokeAsync(ctx, runtime, () => next(ctx)));
        app.Use((ctx, next) => FaultMiddleware.InvokeAsync(ctx, runtime, () => next(ctx)));
        OAuthEndpoints.Map(app, runtime);
        PisEndpoints.Map(app, runtime, PisVersion.V3);
        PisEndpoints.Map(app, runtime, PisVersion.V4);
        Vrp.VrpEndpoints.Map(app, runtime);
        AdminEndpoints.Map(app, runtime);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            runtime.Dispose();
            certificate.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new SandboxHost(app, runtime, certificate, port);
    }

    /// <summary>The PIS base URL of a version, ending in <c>/pisp/</c>.</summary>
    public Uri PispBaseUrl(PisVersion version) => new(BaseUrl, SandboxRuntime.PispPath(version).TrimStart('/') + "/");

    /// <summary>A handler that trusts exactly <see cref="TlsCertificate"/> (for HttpClient or MSAL's HttpClient factory).</summary>
    public HttpMessageHandler CreateHttpMessageHandler()
    {
        var expected = TlsCertificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected);
        return handler;
    }

    /// <summary>Applies every status change due at the sandbox clock's now and queues its notifications; returns how many changed.</summary>
    public int AdvanceStatuses() => _runtime.AdvanceStatuses();

    /// <summary>Stops the server and the background loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _runtime.Notifications.Dispose();
        _runtime.Dispose();
        TlsCertificate.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_runtime.Options.BackgroundInterval, _runtime.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _runtime.AdvanceStatuses();
            _runtime.Notifications.Tick();
        }
    }
}

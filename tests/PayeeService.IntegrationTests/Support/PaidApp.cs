using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.PayeeService.Hosting;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// A merchant's own ASP.NET Core app with priced routes, wired as docs/payee.md shows: <c>AddPayeeService</c>,
/// <c>AddPaymentRequired</c>, <c>UsePaymentRequired</c>, <c>RequirePayment</c>. Counts what each route served, records
/// every error the app logged (an exception thrown after a response went out reaches no client, only the log), and an
/// outer middleware checks that the 402 middleware put the response body back.
/// </summary>
internal sealed class PaidApp : IAsyncDisposable
{
    public const int QuotePrice = 1000;
    public const int EchoPrice = 10;
    public const int BytesPerRequest = 5;
    public const int BytesPerByte = 2;
    public const int BytesMaxUnpaid = 2000;

    private readonly WebApplication _app;
    private readonly string _folder;
    private readonly FakeLogCollector _errors;
    private int _quotes;
    private int _bodiesNotRestored;
    private bool _stopped;

    private PaidApp(WebApplication app, string folder, Uri baseUrl, FakeLogCollector errors)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
        _errors = errors;
    }

    public Uri BaseUrl { get; }

    public PayeeEngine Engine => _app.Services.GetRequiredService<PayeeEngine>();

    /// <summary>The app's services (to build its 402 middleware by hand).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>How many times /quote ran its handler (served and charged).</summary>
    public int QuotesServed => Volatile.Read(ref _quotes);

    /// <summary>How many priced requests left the outer middleware with a response body other than the one it passed in.</summary>
    public int BodiesNotRestored => Volatile.Read(ref _bodiesNotRestored);

    /// <summary>Every entry the app logged at Error or above (read after <see cref="StopAsync"/>: requests finish first).</summary>
    public IReadOnlyList<string> LoggedErrors =>
        [.. _errors.GetSnapshot().Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}: {e.Exception?.Message}")];

    /// <summary>
    /// One line per request that left the app's middlewares, in order: path, status code, the exception type that
    /// came out of it (or "-") and whether the client had aborted it.
    /// </summary>
    public System.Threading.Channels.Channel<string> Finished { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

    /// <summary>Set when /held has been paid for and its handler waits for <see cref="HeldRelease"/>.</summary>
    public TaskCompletionSource HeldEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by the test to let /held answer.</summary>
    public TaskCompletionSource HeldRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Starts the app; <paramref name="time"/> is the payee's clock (the system's unless given) and
    /// <paramref name="wrapStore"/> wraps its SQLite voucher store.
    /// </summary>
    public static async Task<PaidApp> StartAsync(
        PayeeWorldFixture fixture, ITestOutputHelper? output, Action<PaymentRequiredOptions>? configure = null, TimeProvider? time = null,
        Func<IVoucherStore, IVoucherStore>? wrapStore = null)
    {
        var folder = Directory.CreateTempSubdirectory("paid-app-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Whatever the minimum level, only Error and Critical entries are kept (with their exception).
        var errors = FakeLogCollector.Create(new FakeLogCollectorOptions { FilteredLevels = { LogLevel.Error, LogLevel.Critical } });
        builder.Logging.AddProvider(new FakeLoggerProvider(errors));
        if (output is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(new TestOutputLoggerProvider(output));
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPayeeService(fixture.Options(Path.Combine(folder, "payee.db")), fixture.World.PayeeKey, time);
        if (wrapStore is not null)
        {
            builder.Services.AddSingleton(sp => wrapStore(sp.GetRequiredService<SqliteVoucherStore>()));
        }

        builder.Services.AddPaymentRequired(o =>
        {
            o.PayTo = fixture.Payee.ToString();
            o.Asset = fixture.World.Token.Address.ToString();
            o.MinDeposit = 100_000;
            configure?.Invoke(o);
        });

        var app = builder.Build();
        PaidApp? self = null;
        app.Use(async (context, next) =>
        {
            var body = context.Response.Body;
            var thrown = "-";
            try
            {
                await next(context);
            }
            catch (Exception ex)
            {
                thrown = ex.GetType().Name;
                throw;
            }
            finally
            {
                self!.Finished.Writer.TryWrite($"{context.Request.Path} {context.Response.StatusCode} {thrown} aborted={context.RequestAborted.IsCancellationRequested}");
            }

            if (!ReferenceEquals(context.Response.Body, body))
            {
                Interlocked.Increment(ref self._bodiesNotRestored);
            }
        });
        app.UsePaymentRequired();
        app.MapGet("/free", () => "free");
        app.MapGet("/quote", () =>
        {
            Interlocked.Increment(ref self!._quotes);
            return "quote";
        }).RequirePayment(PaymentPrice.ForRequest(QuotePrice));
        app.MapGet("/held", async () =>
        {
            self!.HeldEntered.TrySetResult();
            await self.HeldRelease.Task;
            return "held";
        }).RequirePayment(PaymentPrice.ForRequest(QuotePrice));
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return await reader.ReadToEndAsync();
        }).RequirePayment(PaymentPrice.ForRequest(EchoPrice));
        app.MapGet("/bytes/{count:int}", async (HttpContext context, int count) =>
        {
            context.Response.ContentLength = count;
            var chunk = new byte[100];
            for (var sent = 0; sent < count; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)));
            }
        }).RequirePayment(PaymentPrice.ForBytes(BytesPerRequest, BytesPerByte, BytesMaxUnpaid));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new PaidApp(app, folder, new Uri(address.TrimEnd('/') + "/"), errors);
        return self;
    }

    /// <summary>Stops the app; requests under way finish (and log) first.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        HeldRelease.TrySetResult();
        await StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

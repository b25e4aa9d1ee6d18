using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.PayeeService.Hosting;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// A merchant's own ASP.NET Core app with priced routes, wired as docs/payee.md shows: <c>AddPayeeService</c>,
/// <c>AddPaymentRequired</c>, <c>UsePaymentRequired</c>, <c>RequirePayment</c>. Counts what each route served.
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
    private int _quotes;

    private PaidApp(WebApplication app, string folder, Uri baseUrl)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public PayeeEngine Engine => _app.Services.GetRequiredService<PayeeEngine>();

    /// <summary>How many times /quote ran its handler (served and charged).</summary>
    public int QuotesServed => Volatile.Read(ref _quotes);

    public static async Task<PaidApp> StartAsync(PayeeWorldFixture fixture, ITestOutputHelper? output)
    {
        var folder = Directory.CreateTempSubdirectory("paid-app-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (output is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(new TestOutputLoggerProvider(output));
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPayeeService(fixture.Options(Path.Combine(folder, "payee.db")), fixture.World.PayeeKey);
        builder.Services.AddPaymentRequired(o =>
        {
            o.PayTo = fixture.Payee.ToString();
            o.Asset = fixture.World.Token.Address.ToString();
            o.MinDeposit = 100_000;
        });

        var app = builder.Build();
        PaidApp? self = null;
        app.UsePaymentRequired();
        app.MapGet("/free", () => "free");
        app.MapGet("/quote", () =>
        {
            Interlocked.Increment(ref self!._quotes);
            return "quote";
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
        self = new PaidApp(app, folder, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
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

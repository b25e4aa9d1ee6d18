using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Settlement.Dashboard.BrowserTests.Support;

/// <summary>
/// The dashboard's settlement upstream in these tests: every request is relayed to the real settlement service
/// (ledger balances, journal integrity), except <c>GET /reconciliation</c> while a test has set a report, which answers
/// that report. The report is the real engine's output (<c>BreakReport.ToJson</c> of <c>Reconciler.Run</c>) over
/// records the test chose, so a break can be injected without faking a bank.
/// </summary>
internal sealed class ControlledSettlement : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _relay = new() { Timeout = TimeSpan.FromSeconds(10) };
    private volatile string? _report;

    private ControlledSettlement(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The JSON report <c>GET /reconciliation</c> answers; null relays to the real service.</summary>
    public string? Report
    {
        get => _report;
        set => _report = value;
    }

    public static async Task<ControlledSettlement> StartAsync(Uri real)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ControlledSettlement? self = null;
        app.Run(async context =>
        {
            if (context.Request.Path == "/reconciliation" && self!.Report is { } report)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(report, context.RequestAborted);
                return;
            }

            using var answer = await self!._relay.GetAsync(new Uri(real, context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString), context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await context.Response.WriteAsync(await answer.Content.ReadAsStringAsync(context.RequestAborted), context.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new ControlledSettlement(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _relay.Dispose();
    }
}

using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Settlement.DashboardService.Snapshots;

namespace Settlement.DashboardService.Http;

/// <summary>
/// <c>GET /</c> (the page), <c>GET /dashboard.js</c>, <c>GET /dashboard.css</c>, <c>GET /snapshot</c> (the newest
/// snapshot as JSON), <c>GET /events</c> (server-sent events: one <c>snapshot</c> event per poll) and
/// <c>GET /health</c>. Only GET: the dashboard changes nothing.
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly string Page = ReadResource("index.html");
    private static readonly string Script = ReadResource("dashboard.js");
    private static readonly string Style = ReadResource("dashboard.css");

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
        app.MapGet("/dashboard.js", () => Results.Content(Script, "text/javascript; charset=utf-8"));
        app.MapGet("/dashboard.css", () => Results.Content(Style, "text/css; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapGet("/health", (SnapshotHub hub) => Results.Json(new { status = "ok", snapshots = hub.Latest.Sequence }));
        app.MapGet("/snapshot", (SnapshotHub hub) => Results.Content(hub.Latest.Json, "application/json"));
        app.MapGet("/events", EventsAsync);
    }

    private static async Task EventsAsync(HttpContext context, SnapshotHub hub, IHostApplicationLifetime lifetime)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var seen = 0L;
        // Ends with the browser or with the host: an open stream must not hold a graceful stop until its timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = linked.Token;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await hub.WaitNewerAsync(seen, cancellationToken).ConfigureAwait(false);
                var (json, sequence) = hub.Latest;
                seen = sequence;
                await context.Response.WriteAsync($"event: snapshot\nid: {sequence}\ndata: {json}\n\n", Encoding.UTF8, cancellationToken).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser went away, or the host is stopping.
        }
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Settlement.DashboardService.Page." + name)
            ?? throw new InvalidOperationException($"The page resource {name} is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

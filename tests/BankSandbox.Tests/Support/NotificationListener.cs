using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Settlement.BankSandbox.Tests.Support;

/// <summary>A TPP's event-notification endpoint on 127.0.0.1 (plain HTTP) that records every POST body.</summary>
public sealed class NotificationListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private int _failNext;
    private int _attempts;

    private NotificationListener(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Attempts => Volatile.Read(ref _attempts);

    public List<string> ContentTypes { get; } = [];

    public static async Task<NotificationListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var listener = new NotificationListener(app);
        app.MapPost("/events", async ctx =>
        {
            Interlocked.Increment(ref listener._attempts);
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (listener.ContentTypes)
            {
                listener.ContentTypes.Add(ctx.Request.ContentType ?? "");
            }

            if (Interlocked.Decrement(ref listener._failNext) >= 0)
            {
                ctx.Response.StatusCode = 500;
                return;
            }

            listener._received.Writer.TryWrite(body);
            ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.Url = new Uri(new Uri(address), "/events");
        return listener;
    }

    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    public async Task<string> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public bool TryTake(out string? body) => _received.Reader.TryRead(out body);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Watchtower;

namespace Settlement.WatchtowerService.Hosting;

/// <summary>Migrates the store before requests are taken, then runs the follower until the host stops.</summary>
internal sealed partial class WatchtowerLifetime(IWatchtowerStore store, WatchtowerFollower follower, ILogger<WatchtowerLifetime> logger) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _following;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        _following = follower.RunAsync(_stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_following is { } following)
        {
            await following.ConfigureAwait(false);
        }

        LogStopped(logger);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Watchtower stopped; it resumes from its checkpoint")]
    private static partial void LogStopped(ILogger logger);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Settlement.DashboardService.Snapshots;

/// <summary>Reads the upstream services every <see cref="DashboardServiceOptions.PollInterval"/> and publishes the snapshot.</summary>
internal sealed partial class SnapshotPoller(
    DashboardSnapshotBuilder builder, SnapshotHub hub, DashboardServiceOptions options, TimeProvider time, ILogger<SnapshotPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval, time);
        do
        {
            try
            {
                var snapshot = await builder.BuildAsync(stoppingToken).ConfigureAwait(false);
                hub.Publish(snapshot.ToJsonString());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug in reshaping one answer must not stop the page; the next poll tries again.
                LogPollFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Dashboard poll failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

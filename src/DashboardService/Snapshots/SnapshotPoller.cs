using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Settlement.DashboardService.Snapshots;

/// <summary>Reads the upstream services every <see cref="DashboardServiceOptions.PollInterval"/> and publishes the snapshot.</summary>
internal sealed partial class SnapshotPoller(
    DashboardSnapshotBuilder builder, SnapshotHub hub, DashboardServiceOptions options, TimeProvider time, ILogger<SnapshotPoller> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Reads the upstream services now and publishes the snapshot (one read at a time, in order).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
            hub.Publish(snapshot.ToJsonString());
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
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

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer;

namespace Settlement.SettlementService.Indexer;

/// <summary>
/// Follows the chain with <see cref="ChainIndexer.PollOnceAsync"/> (the loop of <see cref="ChainIndexer.FollowAsync"/>,
/// here so that every poll's outcome and failure reaches <c>/health</c> and the metrics): polls back to back while
/// there is work, waits <see cref="SettlementServiceOptions.IndexerPollInterval"/> after catching up, and after a
/// failure of any kind (node down, database busy, a refusal) logs it and waits
/// <see cref="SettlementServiceOptions.RetryBaseDelay"/>, doubled per further failure up to
/// <see cref="SettlementServiceOptions.RetryMaxDelay"/>, on the injected <see cref="TimeProvider"/>. It never stops the
/// host. On stop, a poll in progress finishes (its store write is one transaction) unless the shutdown timeout runs out.
/// </summary>
internal sealed partial class IndexerFollower(
    ChainIndexer indexer,
    IndexerStatus status,
    SettlementServiceMetrics metrics,
    SettlementServiceOptions options,
    TimeProvider time,
    ILogger<IndexerFollower> logger) : BackgroundService
{
    private readonly CancellationTokenSource _abort = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host's stop token fires when the shutdown timeout runs out: only then is the poll in progress cancelled.
        await using var abort = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(indexer.Stream);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var result = await indexer.PollOnceAsync(_abort.Token).ConfigureAwait(false);
                // Counters first: whoever sees the new status (the gauges, /health) sees counters that include this poll.
                metrics.Polled(result);
                status.Succeeded(result, time.GetUtcNow());
                if (failures > 0)
                {
                    LogRecovered(indexer.Stream, failures);
                }

                failures = 0;
                wait = result.Outcome == IndexerPollOutcome.CaughtUp ? options.IndexerPollInterval : TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                LogAborted(indexer.Stream);
                return;
            }
#pragma warning disable CA1031 // Any fault of one poll (node, database, refusal) is reported and retried; the host keeps serving.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                status.Failed(ex, time.GetUtcNow());
                metrics.PollFailed();
                wait = Backoff(failures);
                if (ex is JsonRpcException { IsTransient: true })
                {
                    LogTransientFailure(indexer.Stream, failures, wait, ex);
                }
                else
                {
                    LogFailure(indexer.Stream, failures, wait, ex);
                }
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        LogStopped(indexer.Stream);
    }

    /// <summary>RetryBaseDelay × 2^(failures − 1), at most RetryMaxDelay.</summary>
    private TimeSpan Backoff(int failures)
    {
        var delay = options.RetryBaseDelay;
        for (var i = 1; i < failures && delay < options.RetryMaxDelay; i++)
        {
            delay += delay;
        }

        return delay < options.RetryMaxDelay ? delay : options.RetryMaxDelay;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Indexer follower started on stream {Stream}")]
    private partial void LogStarted(string stream);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Indexer poll on {Stream} failed ({Failures} in a row, node fault); retrying in {Wait}")]
    private partial void LogTransientFailure(string stream, int failures, TimeSpan wait, Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Indexer poll on {Stream} failed ({Failures} in a row); retrying in {Wait}")]
    private partial void LogFailure(string stream, int failures, TimeSpan wait, Exception exception);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Indexer on {Stream} recovered after {Failures} failed polls")]
    private partial void LogRecovered(string stream, int failures);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Indexer poll on {Stream} cancelled: the shutdown timeout ran out (its transaction was not committed)")]
    private partial void LogAborted(string stream);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Indexer follower on {Stream} stopped after its last poll")]
    private partial void LogStopped(string stream);
}

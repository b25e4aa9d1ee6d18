using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Transfers;

namespace Settlement.SettlementService.OpenBanking;

/// <summary>
/// Picks up unfinished transfers at start (after a restart) and then every
/// <see cref="SettlementServiceOptions.TransferResumeInterval"/>: polling complements event notifications. A failed
/// pass (bank or database down) is logged and retried at the next interval; it never stops the host.
/// </summary>
internal sealed partial class TransferResumeWorker(TransferService transfers, SettlementServiceOptions options, TimeProvider time, ILogger<TransferResumeWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var ops = await transfers.ResumeAsync(stoppingToken).ConfigureAwait(false);
                if (ops.Count > 0)
                {
                    LogPass(ops.Count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // An infrastructure fault in one pass must not stop the host; the next pass retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(e);
            }

            try
            {
                await Task.Delay(options.TransferResumeInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "Resume pass over {Count} unfinished transfers")]
    private partial void LogPass(int count);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Transfer resume pass failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Picks up unfinished transfers at start (after a restart) and then every
/// <see cref="OpenBankingOptions.PollInterval"/>: polling complements event notifications.
/// </summary>
internal sealed partial class TransferResumeWorker(TransferService transfers, IOptions<OpenBankingOptions> options, TimeProvider time, ILogger<TransferResumeWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunResumeWorker)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var ops = await transfers.ResumeAsync(stoppingToken).ConfigureAwait(false);
                if (ops.Count > 0)
                {
                    LogPass(ops.Count);
                }

                await Task.Delay(options.Value.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resume pass over {Count} unfinished transfers")]
    private partial void LogPass(int count);
}

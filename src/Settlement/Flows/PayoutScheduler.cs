using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Settlement.Service.Flows;

/// <summary>
/// Runs the payout batch of the current slot at start and then every <see cref="PayoutOptions.Interval"/> on the
/// injected <see cref="TimeProvider"/> (when <see cref="PayoutOptions.Enabled"/>). A batch is idempotent per slot, so a
/// restart or a second instance inside a slot pays nothing twice.
/// </summary>
internal sealed partial class PayoutScheduler(
    SettlementFlows flows, IOptions<PayoutOptions> options, TimeProvider time, ILogger<PayoutScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await flows.RunPayoutBatchAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed batch (database or balance source down) must not stop the host; the next tick retries the slot's batch.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(e);
            }
        }
        while (await FlowTimers.WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Payout batch failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}

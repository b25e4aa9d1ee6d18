using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Settlement.Service.Ledger.Expiry;

/// <summary>
/// Runs <see cref="ILedgerStore.ExpirePendingAsync"/> at start and then every <see cref="PendingExpiryOptions.Interval"/>
/// on the injected <see cref="TimeProvider"/>, so a pending transfer's reservation is released once its timeout passes
/// (the store decides what is due from its own clock). A failed pass (database busy or down) is logged and retried at
/// the next tick; it never stops the host.
/// </summary>
internal sealed partial class PendingExpiryService(
    ILedgerStore store, IOptions<PendingExpiryOptions> options, TimeProvider time, ILogger<PendingExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                var expired = await store.ExpirePendingAsync(stoppingToken).ConfigureAwait(false);
                if (expired.Count > 0)
                {
                    LogExpired(expired.Count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // An infrastructure fault in one pass must not stop the service; the next tick retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Expired {Count} pending ledger transfers")]
    private partial void LogExpired(int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Pending-transfer expiry pass failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}

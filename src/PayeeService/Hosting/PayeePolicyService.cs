using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payee.Policy;

namespace Settlement.PayeeService.Hosting;

/// <summary>
/// Runs the payee's redeem and close policy every <see cref="PayeePolicyOptions.Interval"/> (registered only when
/// <see cref="PayeePolicyOptions.Enabled"/>). A failed run is logged and the next one starts again from chain state.
/// </summary>
internal sealed partial class PayeePolicyService(
    PayeePolicyRunner runner, IOptions<PayeePolicyOptions> options, TimeProvider time, ILogger<PayeePolicyService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The schedule must outlive a node that is briefly down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRunFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Payee policy run failed; retrying at the next interval")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}

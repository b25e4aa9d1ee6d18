using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Settlement.Service.Flows;

/// <summary>
/// Advances every unfinished flow at start (a restart resumes where each flow's last saved state left it) and then
/// every <see cref="SettlementFlowOptions.ResumeInterval"/> on the injected <see cref="TimeProvider"/>. A failed pass
/// is logged and retried at the next tick; it never stops the host.
/// </summary>
internal sealed partial class FlowResumeWorker(
    SettlementFlows flows, IOptions<SettlementFlowOptions> options, TimeProvider time, ILogger<FlowResumeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ResumeInterval, time);
        do
        {
            try
            {
                await flows.ResumeAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // An infrastructure fault in one pass (database busy) must not stop the host; the next tick retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(e);
            }
        }
        while (await FlowTimers.WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Flow resume pass failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}

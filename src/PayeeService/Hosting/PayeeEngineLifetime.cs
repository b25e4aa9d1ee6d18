using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;

namespace Settlement.PayeeService.Hosting;

/// <summary>
/// Starts the engine (migrations, stored channels) before the server takes requests and runs the chain follower;
/// on shutdown stops the follower, then the engine, which finishes every queued write before it returns.
/// </summary>
internal sealed partial class PayeeEngineLifetime(
    PayeeEngine engine, PayeeChainFollower follower, PayeeServiceOptions options, ILogger<PayeeEngineLifetime> logger) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _following;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        _following = follower.RunAsync(options.ChainPollInterval, _stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_following is { } following)
        {
            await following.ConfigureAwait(false);
        }

        await engine.StopAsync().ConfigureAwait(false);
        LogStopped(logger);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Payee service stopped; every acknowledged voucher is on disk")]
    private static partial void LogStopped(ILogger logger);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Transfers;
using Settlement.OpenBanking.Vrp;

namespace Settlement.OpenBanking.Notifications;

/// <summary>
/// Receives OBIE event notifications for one bank: verifies the SET against the bank's JWKS,
/// drops duplicate deliveries by jti, then lets <see cref="TransferService"/> re-read the payment (or, for a
/// <c>domestic-vrp</c> event, <see cref="VrpSweepService"/> when VRP is registered).
/// </summary>
public sealed partial class EventNotificationReceiver
{
    private readonly OpenBankingClients _clients;
    private readonly TransferService _transfers;
    private readonly IOptionsMonitor<OpenBankingOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EventNotificationReceiver> _logger;
    private readonly VrpSweepService? _sweeps;

    /// <summary>Creates the receiver with VRP sweeps (normally through DI, when <c>AddVrpSweeps</c> was called).</summary>
    public EventNotificationReceiver(OpenBankingClients clients, TransferService transfers, VrpSweepService sweeps, IOptionsMonitor<OpenBankingOptions> options, TimeProvider time, ILogger<EventNotificationReceiver> logger)
        : this(clients, transfers, options, time, logger)
    {
        _sweeps = sweeps;
    }

    /// <summary>Creates the receiver (normally through DI).</summary>
    public EventNotificationReceiver(OpenBankingClients clients, TransferService transfers, IOptionsMonitor<OpenBankingOptions> options, TimeProvider time, ILogger<EventNotificationReceiver> logger)
    {
        _clients = clients;
        _transfers = transfers;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after each delivery with its outcome (observability and tests).</summary>
    public event EventHandler<NotificationOutcome>? Received;

    /// <summary>Handles one delivery (the SET compact JWS as sent in the body).</summary>
    public async Task<NotificationOutcome> ReceiveAsync(string bank, string? setJwt, CancellationToken cancellationToken)
    {
        var outcome = await ReceiveCoreAsync(bank, setJwt, cancellationToken).ConfigureAwait(false);
        Received?.Invoke(this, outcome);
        return outcome;
    }

    private async Task<NotificationOutcome> ReceiveCoreAsync(string bank, string? setJwt, CancellationToken ct)
    {
        if (!_options.CurrentValue.Banks.TryGetValue(bank, out var options))
        {
            LogRejected(bank, "bank not configured");
            return NotificationOutcome.Rejected;
        }

        var client = _clients.Get(bank);
        var (ev, error) = await EventNotificationVerifier.VerifyAsync(setJwt, client.Metadata, options.ClientId, options.BankJwsIssuer, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (ev is null)
        {
            LogRejected(bank, error!);
            return NotificationOutcome.Rejected;
        }

        if (!await _transfers.TryRecordNotificationAsync(bank, ev.Jti, ct).ConfigureAwait(false))
        {
            LogDuplicate(bank, ev.Jti, ev.ResourceId);
            return NotificationOutcome.Duplicate;
        }

        try
        {
            if (_sweeps is not null && ev.ResourceType is "domestic-vrp" or "domestic-vrps")
            {
                var sweep = await _sweeps.ApplyResourceUpdateAsync(bank, ev.ResourceId, ct).ConfigureAwait(false);
                LogProcessed(bank, ev.ResourceType, ev.ResourceId, sweep is null ? StatusUpdateOutcome.Stale : StatusUpdateOutcome.Applied);
                return NotificationOutcome.Processed;
            }

            var outcome = await _transfers.ApplyResourceUpdateAsync(bank, ev.ResourceId, ev.ResourceType, ct).ConfigureAwait(false);
            LogProcessed(bank, ev.ResourceType, ev.ResourceId, outcome);
            return NotificationOutcome.Processed;
        }
        catch (BankApiException ex) when (ex.IsTransient)
        {
            LogRetry(bank, ev.ResourceId, ex.Message);
            return NotificationOutcome.RetryLater;
        }
        catch (TransferConcurrencyException)
        {
            return NotificationOutcome.RetryLater;
        }
        catch (BankApiException ex)
        {
            // Signed by the bank but inconsistent with what we hold (other consent, other amount):
            // nothing is changed; the transfer's own polling stays authoritative.
            LogRejected(bank, ex.Message);
            return NotificationOutcome.Rejected;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: event notification refused: {Reason}")]
    private partial void LogRejected(string bank, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: duplicate event notification {Jti} for {ResourceId} ignored")]
    private partial void LogDuplicate(string bank, string jti, string resourceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: event notification for {Type} {ResourceId}: {Outcome}")]
    private partial void LogProcessed(string bank, string type, string resourceId, StatusUpdateOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: event notification for {ResourceId} will be retried by the bank: {Reason}")]
    private partial void LogRetry(string bank, string resourceId, string reason);
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.Payments;
using Settlement.BankSandbox.Security;

namespace Settlement.BankSandbox.Notifications;

/// <summary>
/// OBIE event notifications: a signed SET (urn:uk:org:openbanking:events:resource-update) POSTed to the client's
/// NotificationUrl on every payment status change, retried on failure with sandbox-clock backoff. Duplicate and
/// out-of-order delivery can be injected.
/// </summary>
internal sealed partial class NotificationDispatcher : IDisposable
{
    public const string ResourceUpdate = "urn:uk:org:openbanking:events:resource-update";

    private readonly SandboxRuntime _runtime;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<(Notification Item, int Ticks)> _held = [];
    private readonly List<Task> _inFlight = [];
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private long _delivered;

    public NotificationDispatcher(SandboxRuntime runtime, ILogger logger)
    {
        _runtime = runtime;
        _logger = logger;
    }

    /// <summary>Successful deliveries (2xx answers), duplicates included.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public void Enqueue(PaymentRecord payment)
    {
        if (!_runtime.Clients.TryGet(payment.ClientId, out var client) || client!.NotificationUrl is null)
        {
            return;
        }

        var item = new Notification(
            client.ClientId,
            client.NotificationUrl,
            payment.PaymentId,
            payment.Version,
            _runtime.ResourceUrl(payment.Version, (payment.IsVrp ? "/domestic-vrps/" : "/domestic-payments/") + payment.PaymentId),
            payment.StatusUpdated,
            Guid.NewGuid().ToString("N"),
            payment.IsVrp ? "domestic-vrp" : "domestic-payment");

        var duplicate = payment.DuplicateNotifications || _runtime.Faults.TakeNotificationFault(FaultKind.DuplicateNotification);
        var hold = payment.OutOfOrderNotifications || _runtime.Faults.TakeNotificationFault(FaultKind.OutOfOrderNotification);
        List<Notification> release;
        lock (_gate)
        {
            release = _held.Where(h => h.Item.ClientId == item.ClientId).Select(h => h.Item).ToList();
            if (hold && release.Count == 0)
            {
                // Held back until the next notification for this client goes out (or two loop ticks pass).
                _held.Add((item, 0));
                if (duplicate)
                {
                    _held.Add((item, 0));
                }

                return;
            }

            _held.RemoveAll(h => h.Item.ClientId == item.ClientId);
        }

        var sequence = new List<Notification> { item };
        if (duplicate)
        {
            sequence.Add(item);
        }

        sequence.AddRange(release);
        Start(sequence);
    }

    /// <summary>Called by the background loop: releases notifications held for two ticks.</summary>
    public void Tick()
    {
        List<Notification> release;
        lock (_gate)
        {
            for (var i = 0; i < _held.Count; i++)
            {
                _held[i] = (_held[i].Item, _held[i].Ticks + 1);
            }

            release = _held.Where(h => h.Ticks >= 2).Select(h => h.Item).ToList();
            _held.RemoveAll(h => h.Ticks >= 2);
        }

        foreach (var group in release.GroupBy(r => r.ClientId))
        {
            Start(group.ToList());
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _inFlight];
        }

        try
        {
            Task.WaitAll(pending, TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Deliveries end with the sandbox; their outcome no longer matters.
        }

        _http.Dispose();
        _stop.Dispose();
    }

    internal string BuildSet(Notification n)
    {
        var now = _runtime.Time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = _runtime.Issuer,
            ["iat"] = now,
            ["jti"] = n.Jti,
            ["aud"] = n.ClientId,
            ["sub"] = n.Link,
            ["txn"] = n.Jti,
            ["toe"] = n.TimeOfEvent.ToUnixTimeSeconds(),
            ["events"] = new JsonObject
            {
                [ResourceUpdate] = new JsonObject
                {
                    ["subject"] = new JsonObject
                    {
                        ["subject_type"] = "http://openbanking.org.uk/rid_http://openbanking.org.uk/rty",
                        ["http://openbanking.org.uk/rid"] = n.PaymentId,
                        ["http://openbanking.org.uk/rty"] = n.ResourceType,
                        ["http://openbanking.org.uk/rlk"] = new JsonArray(new JsonObject
                        {
                            ["version"] = n.Version == PisVersion.V4 ? "v4.0" : "v3.1",
                            ["link"] = n.Link,
                        }),
                    },
                },
            },
        };
        return CompactJws.SignJwt(claims, _runtime.SigningKey, _runtime.Options.BankOrganisationId, now);
    }

    /// <summary>Queues deliveries behind the client's earlier ones: one client's notifications go out in order.</summary>
    private void Start(List<Notification> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var previous = _tails.GetValueOrDefault(items[0].ClientId) ?? Task.CompletedTask;
            var task = ChainAsync(previous, items, _stop.Token);
            _tails[items[0].ClientId] = task;
            _inFlight.RemoveAll(t => t.IsCompleted);
            _inFlight.Add(task);
        }
    }

    private async Task ChainAsync(Task previous, List<Notification> items, CancellationToken ct)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var item in items)
        {
            await DeliverAsync(item, ct).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(Notification n, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; attempt <= _runtime.Options.NotificationMaxAttempts && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                using var content = new StringContent(BuildSet(n), Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/jwt");
                using var request = new HttpRequestMessage(HttpMethod.Post, n.Url) { Content = content };
                request.Headers.Add("x-fapi-interaction-id", Guid.NewGuid().ToString());
                using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                LogFailed(_logger, n.PaymentId, attempt, (int)response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                LogFailed(_logger, n.PaymentId, attempt, e.StatusCode is { } s ? (int)s : 0);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (TaskCanceledException)
            {
                LogFailed(_logger, n.PaymentId, attempt, 0);
            }

            if (attempt < _runtime.Options.NotificationMaxAttempts)
            {
                try
                {
                    await Task.Delay(delay, _runtime.Time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay *= 2;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification for {PaymentId} failed (attempt {Attempt}, status {Status})")]
    private static partial void LogFailed(ILogger logger, string paymentId, int attempt, int status);

    internal sealed record Notification(string ClientId, Uri Url, string PaymentId, PisVersion Version, string Link, DateTimeOffset TimeOfEvent, string Jti, string ResourceType);
}

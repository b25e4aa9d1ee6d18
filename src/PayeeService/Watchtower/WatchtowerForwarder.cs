using System.Net;
using System.Numerics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;

namespace Settlement.PayeeService.Watchtower;

/// <summary>
/// Sends each channel's newest accepted voucher to the watchtower, coalesced: every <see cref="WatchtowerForwardingOptions.Interval"/>
/// it reads the newest stored voucher per channel and sends those above what the watchtower already holds, so only the
/// newest crosses, at most once per pass per channel. A failed send (unreachable, 5xx, 429) waits an interval that
/// doubles up to <see cref="WatchtowerForwardingOptions.MaxBackoff"/>; a refusal (422: e.g. already redeemed) is final
/// for that amount. Only payer-signed vouchers cross (they can only pay this payee).
/// </summary>
public sealed partial class WatchtowerForwarder(
    IVoucherStore store, WatchtowerClient client, WatchtowerForwardingOptions options, TimeProvider time, ILogger<WatchtowerForwarder> logger) : BackgroundService
{
    private readonly Dictionary<ChannelKey, BigInteger> _forwarded = [];
    private readonly Dictionary<ChannelKey, (int Failures, DateTimeOffset NotBefore)> _backoff = [];

    /// <summary>Voucher amounts the watchtower answered for (accepted, unchanged or refused), per channel.</summary>
    public BigInteger ForwardedAmount(ChannelKey key)
    {
        lock (_forwarded)
        {
            return _forwarded.GetValueOrDefault(key);
        }
    }

    /// <summary>One pass: returns how many vouchers were sent.</summary>
    public async Task<int> ForwardOnceAsync(CancellationToken cancellationToken)
    {
        var channels = (await store.ListChannelsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.View.Key);
        var sent = 0;
        foreach (var voucher in await store.ListNewestAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!channels.TryGetValue(voucher.Key, out var channel) || voucher.Signer != channel.View.Parameters.Payer
                || voucher.Cumulative <= ForwardedAmount(voucher.Key)
                || (_backoff.TryGetValue(voucher.Key, out var wait) && time.GetUtcNow() < wait.NotBefore))
            {
                continue;
            }

            var body = DelegationJson.Encode(
                voucher.Key.ChainId, voucher.Key.Contract, channel.View.Parameters, new VoucherFrame(voucher.Key.ChannelId, voucher.Cumulative, voucher.Signature));
            HttpStatusCode? status;
            try
            {
                status = await client.PostDelegationAsync(body, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                status = null;
            }

            sent++;
            if (status is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity)
            {
                lock (_forwarded)
                {
                    _forwarded[voucher.Key] = voucher.Cumulative;
                }

                _backoff.Remove(voucher.Key);
                LogForwarded(logger, voucher.Key.ChannelId.ToString(), voucher.Cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture), (int)status);
            }
            else
            {
                var failures = (_backoff.TryGetValue(voucher.Key, out var previous) ? previous.Failures : 0) + 1;
                var delay = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.Interval.Ticks * (1L << Math.Min(failures, 20))));
                _backoff[voucher.Key] = (failures, time.GetUtcNow() + delay);
                LogFailed(logger, voucher.Key.ChannelId.ToString(), status is { } s ? (int)s : 0, delay);
            }
        }

        return sent;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ForwardOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Forwarding is best effort beside the payee's own duties; the next pass retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPassFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Forwarded the voucher for {Amount} of channel {ChannelId} to the watchtower (HTTP {Status})")]
    private static partial void LogForwarded(ILogger logger, string channelId, string amount, int status);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Forwarding channel {ChannelId} to the watchtower failed (HTTP {Status}); retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, string channelId, int status, TimeSpan delay);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "A watchtower forwarding pass failed; retrying at the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}

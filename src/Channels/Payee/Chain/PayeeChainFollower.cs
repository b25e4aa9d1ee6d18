using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;

namespace Settlement.Channels.Payee.Chain;

/// <summary>
/// Keeps the engine's channel views current while it runs: every poll it reads the contract's events in the newly
/// confirmed blocks, and for each channel the engine holds that an event touched (top-up, redeem, close, settle) it
/// re-reads the state at the confirmed height and applies it. A top-up therefore raises the credit without a restart
/// and a close stops it. Only confirmed blocks are read, so a reorg shallower than the confirmations is never seen.
/// </summary>
public sealed partial class PayeeChainFollower
{
    private readonly PayeeEngine _engine;
    private readonly ChannelContract _contract;
    private readonly ChainChannelViewSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ulong? _lastHeight;
    private HashSet<ChannelKey> _known = [];

    /// <summary>Creates a follower.</summary>
    public PayeeChainFollower(PayeeEngine engine, ChannelContract contract, ChainChannelViewSource source, TimeProvider? time = null, ILogger<PayeeChainFollower>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(source);
        _engine = engine;
        _contract = contract;
        _source = source;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The last confirmed height processed, or null before the first poll.</summary>
    public ulong? LastHeight => _lastHeight;

    /// <summary>Polls every <paramref name="interval"/> until cancelled; a failed poll is logged and retried.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The follower must outlive a node that is briefly down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPollFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Processes the blocks confirmed since the last poll; returns how many channel views were refreshed.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        if (await _source.GetConfirmedHeightAsync(cancellationToken).ConfigureAwait(false) is not { } height)
        {
            return 0;
        }

        var tracked = _engine.TrackedChannels();
        var touched = new HashSet<ChannelKey>();
        if (_lastHeight is { } last)
        {
            if (height <= last)
            {
                return 0;
            }

            var events = await _contract.GetEventsAsync(last + 1, height, cancellationToken).ConfigureAwait(false);
            var held = tracked.ToHashSet();
            foreach (var e in events)
            {
                if (ChannelOf(e) is { } id && new ChannelKey(_engine.ChainId, _engine.Contract, id) is var key && held.Contains(key))
                {
                    touched.Add(key);
                }
            }

            // A channel the engine started holding since the previous poll had its view read at whatever height was
            // confirmed then. If that was below this poll's range while the previous poll (which did not hold it yet)
            // covered a top-up or close of it, that event would never be applied: refresh each new channel once.
            foreach (var key in tracked)
            {
                if (!_known.Contains(key))
                {
                    touched.Add(key);
                }
            }
        }
        else
        {
            // First poll: refresh everything held (the views loaded from the store may be old).
            touched.UnionWith(tracked);
        }

        foreach (var key in touched)
        {
            if (await _source.ReadAsync(key, height, cancellationToken).ConfigureAwait(false) is { } channel)
            {
                await _engine.ApplyViewAsync(channel, cancellationToken).ConfigureAwait(false);
            }
        }

        _lastHeight = height;
        _known = [.. tracked];
        if (touched.Count > 0)
        {
            LogRefreshed(_logger, touched.Count, height);
        }

        return touched.Count;
    }

    private static Vouchers.ChannelId? ChannelOf(ChannelEvent e) => e switch
    {
        ChannelOpenedEvent x => x.ChannelId,
        ChannelToppedUpEvent x => x.ChannelId,
        VoucherRedeemedEvent x => x.ChannelId,
        BatchVoucherRedeemedEvent x => x.ChannelId,
        ChannelClosingEvent x => x.ChannelId,
        ChannelSettledEvent x => x.ChannelId,
        PayoutDeferredEvent x => x.ChannelId,
        _ => null,
    };

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Reading confirmed channel events failed; retrying at the next poll")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Debug, Message = "Refreshed {Count} channel views at confirmed block {Height}")]
    private static partial void LogRefreshed(ILogger logger, int count, ulong height);
}

using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's loop. Each poll it (1) checks that the block under its checkpoint is still canonical and, if a
/// reorg replaced it, rewinds to the newest recent block that still is; (2) reads the contract's events from the
/// checkpoint up to <c>head − confirmations</c> in ranges of at most <see cref="WatchtowerOptions.MaxBlockRange"/>
/// blocks, recording the closes and settles of delegated channels and moving the durable checkpoint after each range
/// (so a restart catches up from where it stopped); (3) for every delegated channel that is closing, decides from the
/// chain state (<see cref="DisputeRules"/>) whether to redeem the held voucher, wait for, or re-send its own
/// transaction, raise a missed-dispute alert or settle.
/// </summary>
public sealed partial class WatchtowerFollower
{
    private readonly IWatchtowerStore _store;
    private readonly IWatchtowerChain _chain;
    private readonly WatchtowerOptions _options;
    private readonly TimeProvider _time;
    private readonly WatchtowerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a follower.</summary>
    public WatchtowerFollower(
        IWatchtowerStore store, IWatchtowerChain chain, WatchtowerOptions options, TimeProvider? time = null, WatchtowerMetrics? metrics = null,
        ILogger<WatchtowerFollower>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _chain = chain;
        _options = options;
        _time = time ?? TimeProvider.System;
        _metrics = metrics ?? new WatchtowerMetrics();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Polls every <see cref="WatchtowerOptions.PollInterval"/> until cancelled; a failed poll is logged and retried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
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
#pragma warning disable CA1031 // The watchtower must outlive a node that is briefly down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPollFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One poll: reorg check, catch-up scan, duties.</summary>
    public async Task<WatchtowerPollResult> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (scanned, reorged, checkpoint) = await ScanAsync(cancellationToken).ConfigureAwait(false);
            var (sent, resent) = await PerformDutiesAsync(cancellationToken).ConfigureAwait(false);
            return new WatchtowerPollResult(scanned, reorged, checkpoint, sent, resent);
        }
        finally
        {
            _gate.Release();
        }
    }

    // ------------------------------------------------------------------ scanning

    private async Task<(ulong Scanned, bool Reorged, BlockMark? Checkpoint)> ScanAsync(CancellationToken cancellationToken)
    {
        var head = await _chain.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await _store.GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (head < (ulong)_options.Confirmations)
        {
            return (0, false, checkpoint?.Head);
        }

        var target = head - (ulong)_options.Confirmations;
        var reorged = false;
        ulong from;
        if (checkpoint is null)
        {
            from = _options.StartBlock ?? target;
        }
        else if (await IsCanonicalAsync(checkpoint.Head, cancellationToken).ConfigureAwait(false))
        {
            from = checkpoint.Head.Number + 1;
        }
        else
        {
            reorged = true;
            _metrics.Reorg();
            BlockMark? fork = null;
            foreach (var mark in checkpoint.Recent)
            {
                if (mark.Number < checkpoint.Head.Number && await IsCanonicalAsync(mark, cancellationToken).ConfigureAwait(false))
                {
                    fork = mark;
                    break;
                }
            }

            await _store.RewindAsync(fork, cancellationToken).ConfigureAwait(false);
            if (fork is null)
            {
                // Deeper than the blocks kept: read again from below the oldest one (nothing older is trusted either).
                var oldest = checkpoint.Recent.Count > 0 ? checkpoint.Recent[^1].Number : checkpoint.Head.Number;
                from = oldest > (ulong)_options.RecentBlocks ? oldest - (ulong)_options.RecentBlocks : 0;
                await RaiseAsync(
                    new WatchtowerAlert(default, WatchtowerAlertKind.DeepReorg, BigInteger.Zero, 0,
                        $"The chain changed below every kept block (checkpoint {checkpoint.Head}); re-reading from block {from}.", _time.GetUtcNow()),
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                from = fork.Number + 1;
            }

            LogReorg(_logger, checkpoint.Head.Number, fork?.Number, from);
            checkpoint = fork is null ? null : checkpoint with { Head = fork };
        }

        if (from > target)
        {
            return (0, reorged, checkpoint?.Head);
        }

        var delegations = (await _store.ListActiveDelegationsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.ChannelId);
        var total = target - from + 1;
        var catchingUp = total > (ulong)_options.MaxBlockRange;
        if (catchingUp)
        {
            LogCatchUpStarted(_logger, from, target, total);
        }

        var watch = Stopwatch.StartNew();
        ulong scanned = 0;
        BlockMark? last = checkpoint?.Head;
        while (from <= target)
        {
            var to = Math.Min(target, from + (ulong)_options.MaxBlockRange - 1);
            var events = await _chain.GetEventsAsync(from, to, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                await ApplyAsync(e, delegations, cancellationToken).ConfigureAwait(false);
            }

            if (await _chain.GetBlockAsync(to, cancellationToken).ConfigureAwait(false) is not { } block)
            {
                break;
            }

            // Effects first, checkpoint second: a crash in between re-reads the range, and applying it again is harmless.
            await _store.AdvanceCheckpointAsync(block.Mark, _options.RecentBlocks, cancellationToken).ConfigureAwait(false);
            last = block.Mark;
            var blocks = to - from + 1;
            scanned += blocks;
            _metrics.Scanned(blocks);
            if (catchingUp)
            {
                LogCatchUpProgress(_logger, to, target, scanned, total);
            }

            from = to + 1;
        }

        if (catchingUp)
        {
            var seconds = Math.Max(watch.Elapsed.TotalSeconds, 1e-6);
            LogCatchUpDone(_logger, scanned, watch.Elapsed.TotalMilliseconds, scanned / seconds);
        }

        return (scanned, reorged, last);
    }

    private async Task<bool> IsCanonicalAsync(BlockMark mark, CancellationToken cancellationToken) =>
        await _chain.GetBlockAsync(mark.Number, cancellationToken).ConfigureAwait(false) is { } block && mark.HasHash(block.Hash.Span);

    private async Task ApplyAsync(ChannelEvent e, Dictionary<ChannelId, Delegation> delegations, CancellationToken cancellationToken)
    {
        if (e.Removed)
        {
            return;
        }

        switch (e)
        {
            case ChannelClosingEvent closing when delegations.ContainsKey(closing.ChannelId):
                LogCloseSeen(_logger, closing.ChannelId.ToString(), closing.Closer.ToString(), closing.Deadline, e.BlockNumber ?? 0);
                await _store.SetCloseDeadlineAsync(closing.ChannelId, closing.Deadline, cancellationToken).ConfigureAwait(false);
                break;
            case ChannelSettledEvent settled when delegations.ContainsKey(settled.ChannelId):
                // The duties pass confirms it from the state (a settle is final only if the chain still says so).
                LogSettledSeen(_logger, settled.ChannelId.ToString(), e.BlockNumber ?? 0);
                break;
        }
    }

    // ------------------------------------------------------------------ duties

    private async Task<(int Sent, int Resent)> PerformDutiesAsync(CancellationToken cancellationToken)
    {
        var closing = (await _store.ListActiveDelegationsAsync(cancellationToken).ConfigureAwait(false)).Where(d => d.CloseDeadline is not null).ToList();
        if (closing.Count == 0)
        {
            return (0, 0);
        }

        var head = await _chain.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (await _chain.GetBlockAsync(head, cancellationToken).ConfigureAwait(false) is not { } latest)
        {
            return (0, 0);
        }

        int sent = 0, resent = 0;
        foreach (var delegation in closing)
        {
            try
            {
                var (s, r) = await PerformDutyAsync(delegation, latest, cancellationToken).ConfigureAwait(false);
                sent += s;
                resent += r;
            }
            catch (Exception ex) when (ex is JsonRpcException or ChannelContractRevertException or TransactionRevertedException or TransactionReceiptTimeoutException)
            {
                LogDutyFailed(_logger, delegation.ChannelId.ToString(), ex);
                await RaiseAsync(
                    new WatchtowerAlert(delegation.ChannelId, WatchtowerAlertKind.DisputeRefused, delegation.Amount, delegation.CloseDeadline ?? 0,
                        $"Sending for channel {delegation.ChannelId} failed ({ex.GetType().Name}); retrying at the next poll.", _time.GetUtcNow()),
                    cancellationToken).ConfigureAwait(false);
            }
        }

        return (sent, resent);
    }

    private async Task<(int Sent, int Resent)> PerformDutyAsync(Delegation delegation, TowerBlock latest, CancellationToken cancellationToken)
    {
        var id = delegation.ChannelId;
        var state = await _chain.GetStateAsync(id, cancellationToken).ConfigureAwait(false);
        if (state.IsClosing && state.CloseDeadline != delegation.CloseDeadline)
        {
            await _store.SetCloseDeadlineAsync(id, state.CloseDeadline, cancellationToken).ConfigureAwait(false);
        }

        // The transaction the decision may follow up: the settle once the voucher is covered and the window over, else the redeem.
        var settleStage = state.RedeemedByPayee >= delegation.Amount && !DisputeRules.WindowOpen(latest.Timestamp, state.CloseDeadline);
        var kind = settleStage ? DisputeKind.Settle : DisputeKind.Redeem;
        var record = await _store.GetDisputeAsync(id, kind, cancellationToken).ConfigureAwait(false);
        PendingTransaction? pending = null;
        if (record is not null && state.Exists && state.IsClosing)
        {
            var status = await _chain.GetTransactionStatusAsync(record.TransactionHash, cancellationToken).ConfigureAwait(false);
            pending = new PendingTransaction(record.Kind, record.Amount, status);
        }

        var action = DisputeRules.Decide(delegation.Amount, state, latest.Timestamp, pending, _options.SettleAfterDeadline);
        switch (action)
        {
            case DutyAction.Finish:
                await _store.SetFinishedAsync(id, cancellationToken).ConfigureAwait(false);
                LogFinished(_logger, id.ToString());
                return (0, 0);
            case DutyAction.None when !state.IsClosing:
                // The close is gone (reorged out): guard the channel as open again.
                await _store.SetCloseDeadlineAsync(id, null, cancellationToken).ConfigureAwait(false);
                return (0, 0);
            case DutyAction.Missed:
                await RaiseAsync(
                    new WatchtowerAlert(id, WatchtowerAlertKind.MissedDispute, delegation.Amount, state.CloseDeadline,
                        $"Channel {id} closed with {state.RedeemedByPayee} redeemed; the challenge window ended at {state.CloseDeadline} before the held voucher for {delegation.Amount} could be sent.",
                        _time.GetUtcNow()),
                    cancellationToken).ConfigureAwait(false);
                return (0, 0);
            case DutyAction.Redeem:
                var left = (long)state.CloseDeadline - (long)latest.Timestamp;
                if (TimeSpan.FromSeconds(left) < _options.SafetyMargin)
                {
                    await RaiseAsync(
                        new WatchtowerAlert(id, WatchtowerAlertKind.LateDispute, delegation.Amount, state.CloseDeadline,
                            $"Channel {id}: answering a close with {left} s left before its deadline (safety margin {_options.SafetyMargin}).", _time.GetUtcNow()),
                        cancellationToken).ConfigureAwait(false);
                }

                await SubmitAsync(delegation, DisputeKind.Redeem, record, cancellationToken).ConfigureAwait(false);
                return (1, 0);
            case DutyAction.Settle:
                await SubmitAsync(delegation, DisputeKind.Settle, record, cancellationToken).ConfigureAwait(false);
                return (1, 0);
            case DutyAction.Resend:
                var stored = record!;
                if (await _chain.RebroadcastAsync(new TowerTransaction(stored.TransactionHash, stored.RawTransaction), cancellationToken).ConfigureAwait(false))
                {
                    _metrics.Resent();
                    LogResent(_logger, stored.Kind, id.ToString(), Hex.Encode(stored.TransactionHash.Span));
                    return (0, 1);
                }

                // Its nonce went to another transaction: sign a new one.
                await SubmitAsync(delegation, stored.Kind, stored, cancellationToken).ConfigureAwait(false);
                return (1, 0);
            default:
                return (0, 0);
        }
    }

    private async Task SubmitAsync(Delegation delegation, DisputeKind kind, DisputeRecord? previous, CancellationToken cancellationToken)
    {
        var attempts = (previous?.Attempts ?? 0) + 1;
        var amount = kind == DisputeKind.Redeem ? delegation.Amount : BigInteger.Zero;

        // Stored before the node sees it: a crash after this point finds the same bytes at the next start.
        Task Save(TowerTransaction tx, CancellationToken ct) =>
            _store.SaveDisputeAsync(new DisputeRecord(delegation.ChannelId, kind, amount, tx.Hash, tx.Raw, attempts, _time.GetUtcNow()), ct);

        var sent = kind == DisputeKind.Redeem
            ? await _chain.SubmitRedeemAsync(delegation.Channel, delegation.Voucher, Save, cancellationToken).ConfigureAwait(false)
            : await _chain.SubmitSettleAsync(delegation.Channel, Save, cancellationToken).ConfigureAwait(false);
        _metrics.Submitted(kind);
        LogSubmitted(_logger, kind, delegation.ChannelId.ToString(), amount.ToString(CultureInfo.InvariantCulture), Hex.Encode(sent.Hash.Span), attempts);
    }

    private async Task RaiseAsync(WatchtowerAlert alert, CancellationToken cancellationToken)
    {
        if (await _store.AddAlertAsync(alert, cancellationToken).ConfigureAwait(false))
        {
            _metrics.Alert(alert.Kind);
            LogAlert(_logger, alert.Kind, alert.Detail);
        }
    }

    [LoggerMessage(EventId = 2410, Level = LogLevel.Warning, Message = "Watchtower poll failed; retrying at the next poll")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Warning, Message = "Reorg: checkpoint block {Checkpoint} is no longer canonical; rewound to block {ForkPoint}, re-reading from {From}")]
    private static partial void LogReorg(ILogger logger, ulong checkpoint, ulong? forkPoint, ulong from);

    [LoggerMessage(EventId = 2412, Level = LogLevel.Information, Message = "Catching up: blocks {From}..{Target} ({Total} blocks) to read")]
    private static partial void LogCatchUpStarted(ILogger logger, ulong from, ulong target, ulong total);

    [LoggerMessage(EventId = 2413, Level = LogLevel.Information, Message = "Catching up: read to block {Block} of {Target} ({Scanned}/{Total} blocks)")]
    private static partial void LogCatchUpProgress(ILogger logger, ulong block, ulong target, ulong scanned, ulong total);

    [LoggerMessage(EventId = 2414, Level = LogLevel.Information, Message = "Caught up: {Scanned} blocks in {Milliseconds:F0} ms ({BlocksPerSecond:F0} blocks/s)")]
    private static partial void LogCatchUpDone(ILogger logger, ulong scanned, double milliseconds, double blocksPerSecond);

    [LoggerMessage(EventId = 2415, Level = LogLevel.Information, Message = "Channel {ChannelId} closing (closer {Closer}, deadline {Deadline}) seen in block {Block}")]
    private static partial void LogCloseSeen(ILogger logger, string channelId, string closer, ulong deadline, ulong block);

    [LoggerMessage(EventId = 2416, Level = LogLevel.Information, Message = "Channel {ChannelId} settled in block {Block}")]
    private static partial void LogSettledSeen(ILogger logger, string channelId, ulong block);

    [LoggerMessage(EventId = 2417, Level = LogLevel.Information, Message = "Sent {Kind} for channel {ChannelId} (amount {Amount}) as transaction {TransactionHash}, attempt {Attempt}")]
    private static partial void LogSubmitted(ILogger logger, DisputeKind kind, string channelId, string amount, string transactionHash, int attempt);

    [LoggerMessage(EventId = 2418, Level = LogLevel.Warning, Message = "Re-sent the stored {Kind} transaction {TransactionHash} of channel {ChannelId}: the node had lost it")]
    private static partial void LogResent(ILogger logger, DisputeKind kind, string channelId, string transactionHash);

    [LoggerMessage(EventId = 2419, Level = LogLevel.Warning, Message = "Watchtower alert {Kind}: {Detail}")]
    private static partial void LogAlert(ILogger logger, WatchtowerAlertKind kind, string detail);

    [LoggerMessage(EventId = 2420, Level = LogLevel.Warning, Message = "Duty for channel {ChannelId} failed; retrying at the next poll")]
    private static partial void LogDutyFailed(ILogger logger, string channelId, Exception exception);

    [LoggerMessage(EventId = 2421, Level = LogLevel.Information, Message = "Channel {ChannelId} is settled; no longer guarded")]
    private static partial void LogFinished(ILogger logger, string channelId);
}

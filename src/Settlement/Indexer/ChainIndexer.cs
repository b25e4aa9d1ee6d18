using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer;

/// <summary>
/// Follows the channel contract's and the stablecoin's events into the ledger, exactly once and reorg-safe
/// (docs/indexer.md). Each poll: read the checkpoint; if its block's hash is no longer on the chain, roll back to the
/// newest stored block that still is (reversing what the reorged blocks booked); otherwise read the logs of the next
/// confirmed range, check every block hash they name (and the range's link to the checkpoint) against the chain, map
/// the events to ledger transfers (<see cref="ChainEventMapper"/>) and apply transfers, event keys and checkpoint in one
/// store transaction. The <c>eth_getLogs</c> range halves when the node refuses it and grows back after successes
/// (doubling, or bisecting below a size the node refused).
/// One instance per stream at a time is the normal case; a second is harmless (the store refuses its stale writes).
/// </summary>
public sealed partial class ChainIndexer
{
    private const int ReorgSearchPage = 64;

    // After a refusal the range searches between the largest accepted and the smallest refused size (bisection); this
    // many successes later it may probe above the refused size again (a node's limit may count results, not blocks, and
    // a quiet stretch of chain allows more).
    private const int SuccessesBeforeProbe = 32;

    private readonly IChainSource _source;
    private readonly IChainIndexStore _store;
    private readonly IndexerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<IndexerStep, CancellationToken, ValueTask>? _onStep;
    private readonly Address _contract;
    private readonly Address _token;
    private readonly IReadOnlyList<Address> _addresses;
    private readonly ChainEventMapper _mapper;
    private bool _chainChecked;
    private int? _refusedRange;
    private int? _acceptedRange;
    private int _successes;

    /// <summary>Creates an indexer.</summary>
    /// <param name="source">The node.</param>
    /// <param name="store">The ledger database's indexer tables.</param>
    /// <param name="options">What to follow (validated here as at start-up).</param>
    /// <param name="time">Clock for poll delays and rates.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="onStep">Called at each <see cref="IndexerStep"/> (diagnostics; tests inject crashes there).</param>
    /// <exception cref="ArgumentException">The options do not validate; the message names the setting.</exception>
    public ChainIndexer(
        IChainSource source,
        IChainIndexStore store,
        IndexerOptions options,
        TimeProvider? time = null,
        ILogger<ChainIndexer>? logger = null,
        Func<IndexerStep, CancellationToken, ValueTask>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true))
        {
            throw new ArgumentException("Invalid indexer options: " + string.Join("; ", errors.Select(e => e.ErrorMessage)), nameof(options));
        }

        _source = source;
        _store = store;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _onStep = onStep;
        _contract = Address.Parse(options.ChannelContract!);
        _token = Address.Parse(options.Token!);
        _addresses = [_contract, _token];
        _mapper = new ChainEventMapper(options.ChainId, _contract, _token, options.TokenLedger);
        Stream = options.StreamName;
        BlockRange = options.InitialBlockRange;
    }

    /// <summary>The stream this indexer writes.</summary>
    public string Stream { get; }

    /// <summary>The current <c>eth_getLogs</c> range in blocks (adapts to the node).</summary>
    public int BlockRange { get; private set; }

    /// <summary>Polls until nothing confirmed is left to index; returns what the run did.</summary>
    public Task<IndexerRunSummary> RunUntilCaughtUpAsync(IProgress<IndexerProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(follow: false, progress, cancellationToken);

    /// <summary>
    /// Polls until <paramref name="cancellationToken"/> is cancelled, waiting <see cref="IndexerOptions.PollInterval"/>
    /// after catching up; a transient node fault is logged and retried after the interval. Returns what the run did.
    /// </summary>
    public Task<IndexerRunSummary> FollowAsync(IProgress<IndexerProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(follow: true, progress, cancellationToken);

    /// <summary>One step: a rollback, a booked range, or nothing to do. Expected outcomes are data.</summary>
    /// <exception cref="InvalidOperationException">The node serves another chain, refuses even the smallest range, or the store refuses the batch for a reason other than a moved checkpoint.</exception>
    public async Task<IndexerPollResult> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        await EnsureChainAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await _store.GetCheckpointAsync(Stream, cancellationToken).ConfigureAwait(false);
        await StepAsync(IndexerStep.CheckpointRead, cancellationToken).ConfigureAwait(false);
        var head = await _source.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        await StepAsync(IndexerStep.HeadRead, cancellationToken).ConfigureAwait(false);

        var last = checkpoint?.Block;
        if (last is not null)
        {
            var onChain = await _source.GetBlockAsync(last.Number, cancellationToken).ConfigureAwait(false);
            if (onChain is null || !string.Equals(onChain.Hash, last.Hash, StringComparison.Ordinal))
            {
                return await RollBackAsync(checkpoint!, last, head, cancellationToken).ConfigureAwait(false);
            }
        }

        var from = last is null ? _options.StartBlock : last.Number + 1;
        if (head < (ulong)_options.Confirmations || from > head - (ulong)_options.Confirmations)
        {
            return new IndexerPollResult(IndexerPollOutcome.CaughtUp, checkpoint, head);
        }

        var safe = head - (ulong)_options.Confirmations;
        var to = Math.Min(safe, from + (ulong)BlockRange - 1);
        var logs = await _source.GetLogsAsync(from, to, _addresses, cancellationToken).ConfigureAwait(false);
        if (logs.RangeTooLarge is { } refusal)
        {
            return ReduceRange(checkpoint, head, from, to, refusal);
        }

        await StepAsync(IndexerStep.LogsRead, cancellationToken).ConfigureAwait(false);
        GrowRange((int)(to - from + 1));

        var decoded = Decode(logs.Logs);
        if (await VerifyBlocksAsync(last, from, to, decoded, cancellationToken).ConfigureAwait(false) is not { } blocks)
        {
            LogChainMoved(_logger, Stream, from, to);
            return new IndexerPollResult(IndexerPollOutcome.ChainMoved, checkpoint, head, Detail: $"the chain changed while blocks {from}..{to} were read");
        }

        await StepAsync(IndexerStep.BlocksVerified, cancellationToken).ConfigureAwait(false);
        var batch = await MapAsync(checkpoint, last, blocks, decoded, cancellationToken).ConfigureAwait(false);
        await StepAsync(IndexerStep.BatchMapped, cancellationToken).ConfigureAwait(false);
        var result = await _store.ApplyBatchAsync(batch, _onStep, cancellationToken).ConfigureAwait(false);
        if (!result.Applied)
        {
            if (result.Refusal == ChainIndexRefusal.CheckpointMismatch)
            {
                LogConflict(_logger, Stream, result.Detail);
                return new IndexerPollResult(IndexerPollOutcome.Conflict, checkpoint, head, Detail: result.Detail);
            }

            throw new InvalidOperationException($"Indexer stream '{Stream}': the store refused blocks {from}..{to}: {result.Refusal} ({result.Detail}).");
        }

        await StepAsync(IndexerStep.Committed, cancellationToken).ConfigureAwait(false);
        LogIndexed(_logger, Stream, from, to, batch.Events.Count, batch.Transfers.Count);
        return new IndexerPollResult(
            IndexerPollOutcome.Indexed, result.Checkpoint, head, (long)(to - from + 1), batch.Events.Count, batch.Transfers.Count);
    }

    private async Task<IndexerRunSummary> RunAsync(bool follow, IProgress<IndexerProgress>? progress, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        long blocks = 0, events = 0, transfers = 0, reorgs = 0, reversed = 0, reductions = 0;
        IndexerCheckpoint? checkpoint = null;
        ulong head = 0;
        while (true)
        {
            IndexerPollResult result;
            try
            {
                result = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (follow && cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (JsonRpcException ex) when (follow && ex.IsTransient)
            {
                LogPollFailed(_logger, Stream, ex);
                if (!await DelayAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            checkpoint = result.Checkpoint;
            head = result.Head;
            blocks += result.Blocks;
            events += result.EventsBooked;
            transfers += result.TransfersBooked;
            reversed += result.EventsReversed;
            reorgs += result.Outcome == IndexerPollOutcome.RolledBack ? 1 : 0;
            reductions += result.Outcome == IndexerPollOutcome.RangeReduced ? 1 : 0;
            if (progress is not null)
            {
                var seconds = _time.GetElapsedTime(started).TotalSeconds;
                var safe = head >= (ulong)_options.Confirmations ? head - (ulong)_options.Confirmations : (ulong?)null;
                progress.Report(new IndexerProgress(checkpoint?.Block?.Number, head, safe, blocks, events, seconds > 0 ? events / seconds : 0, BlockRange));
            }

            if (result.Outcome == IndexerPollOutcome.CaughtUp)
            {
                if (!follow || !await DelayAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        return new IndexerRunSummary(blocks, events, transfers, reorgs, reversed, reductions, checkpoint, head);
    }

    private async Task<bool> DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task EnsureChainAsync(CancellationToken cancellationToken)
    {
        if (_chainChecked)
        {
            return;
        }

        var chainId = await _source.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (chainId != _options.ChainId)
        {
            throw new InvalidOperationException($"Indexer stream '{Stream}': the node serves chain {chainId}, not Settlement:Indexer:ChainId {_options.ChainId}.");
        }

        _chainChecked = true;
    }

    private IndexerPollResult ReduceRange(IndexerCheckpoint? checkpoint, ulong head, ulong from, ulong to, string refusal)
    {
        var asked = (int)(to - from + 1);
        if (asked <= _options.MinBlockRange)
        {
            throw new InvalidOperationException(
                $"Indexer stream '{Stream}': the node refuses eth_getLogs even for {asked} block(s) ({refusal}); lower Settlement:Indexer:MinBlockRange or use another node.");
        }

        // Halve, but not below a size the node accepted (unless it now refuses that too: its limit counts results).
        if (_acceptedRange >= asked)
        {
            _acceptedRange = null;
        }

        BlockRange = Math.Max(_options.MinBlockRange, Math.Max(asked / 2, _acceptedRange ?? 0));
        _refusedRange = Math.Min(_refusedRange ?? int.MaxValue, asked);
        _successes = 0;
        LogRangeReduced(_logger, Stream, asked, BlockRange, refusal);
        return new IndexerPollResult(IndexerPollOutcome.RangeReduced, checkpoint, head, Detail: refusal);
    }

    /// <summary>
    /// After a range of <paramref name="accepted"/> blocks succeeded: doubles the range, or, below a refused size, tries
    /// halfway between the largest accepted and the smallest refused size.
    /// </summary>
    private void GrowRange(int accepted)
    {
        if (accepted < BlockRange)
        {
            return; // a short range at the safe head says nothing about the node's limit
        }

        _acceptedRange = Math.Max(_acceptedRange ?? 0, accepted);
        if (++_successes >= SuccessesBeforeProbe)
        {
            _refusedRange = null;
            _successes = 0;
        }

        long next = _refusedRange is { } refused
            ? Math.Clamp(((long)_acceptedRange.Value + refused) / 2, BlockRange, Math.Max(BlockRange, refused - 1))
            : (long)BlockRange * 2;
        BlockRange = (int)Math.Min(_options.MaxBlockRange, next);
    }

    /// <summary>Decodes the contract's and the token's logs, in chain order, each key once (a node may repeat a log).</summary>
    private List<(ChainLog Log, LogEntry Entry)> Decode(IReadOnlyList<LogEntry> logs)
    {
        var decoded = new List<(ChainLog, LogEntry)>();
        var seen = new HashSet<ChainEventKey>();
        foreach (var log in logs.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex))
        {
            if (log.BlockNumber is not { } number || log.BlockHash is not { } hash || log.TransactionHash is not { } tx || log.LogIndex is not { } index)
            {
                continue;
            }

            if (log.Address == _contract && ChannelContract.TryDecodeEvents(log, out var channelEvents))
            {
                // A BatchRedeemed log carries one event per item: each gets its own key.
                foreach (var channelEvent in channelEvents)
                {
                    var item = channelEvent is BatchVoucherRedeemedEvent batchItem ? batchItem.Item : 0;
                    Add(new ChainEventKey(_options.ChainId, log.Address.ToLowerHex(), Hex.Encode(tx), ChainEventKey.Position(index, item)), KindOf(channelEvent), channelEvent, null);
                }
            }
            else if (log.Address == _token && Erc20Transfer.TryDecode(log, out var transfer))
            {
                Add(new ChainEventKey(_options.ChainId, log.Address.ToLowerHex(), Hex.Encode(tx), index), ChainEventKind.TokenTransfer, null, transfer);
            }

            void Add(ChainEventKey key, ChainEventKind kind, ChannelEvent? channelEvent, Erc20Transfer? transfer)
            {
                if (seen.Add(key))
                {
                    decoded.Add((new ChainLog(key, number, Hex.Encode(hash), kind, channelEvent, transfer), log));
                }
            }
        }

        return decoded;
    }

    private static ChainEventKind KindOf(ChannelEvent e) => e switch
    {
        ChannelOpenedEvent => ChainEventKind.ChannelOpened,
        ChannelToppedUpEvent => ChainEventKind.ChannelToppedUp,
        VoucherRedeemedEvent => ChainEventKind.VoucherRedeemed,
        BatchVoucherRedeemedEvent => ChainEventKind.BatchVoucherRedeemed,
        BatchItemSkippedEvent => ChainEventKind.BatchItemSkipped,
        ChannelClosingEvent => ChainEventKind.ChannelClosing,
        ChannelSettledEvent => ChainEventKind.ChannelSettled,
        PayoutDeferredEvent => ChainEventKind.PayoutDeferred,
        OwedWithdrawnEvent => ChainEventKind.OwedWithdrawn,
        _ => throw new InvalidOperationException($"Unmapped channel event {e.GetType().Name}."),
    };

    /// <summary>
    /// The blocks to record (each event block and the range's last), or null when the chain disagrees with what was
    /// read: a log marked removed, a log whose block hash is not the chain's, or a range that does not continue the
    /// checkpoint (the next poll then finds the reorg).
    /// </summary>
    private async Task<List<BlockRef>?> VerifyBlocksAsync(
        BlockRef? last, ulong from, ulong to, List<(ChainLog Log, LogEntry Entry)> decoded, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<ulong, ChainBlock>();
        foreach (var number in decoded.Select(d => d.Log.BlockNumber).Append(from).Append(to).Distinct().Order())
        {
            if (await _source.GetBlockAsync(number, cancellationToken).ConfigureAwait(false) is not { } block)
            {
                return null;
            }

            headers[number] = block;
        }

        if (last is not null && !string.Equals(headers[from].ParentHash, last.Hash, StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var (log, entry) in decoded)
        {
            if (entry.Removed || !string.Equals(headers[log.BlockNumber].Hash, log.BlockHash, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return decoded.Select(d => d.Log.BlockNumber).Append(to).Distinct().Order().Select(n => new BlockRef(n, headers[n].Hash)).ToList();
    }

    private async Task<ChainBlockBatch> MapAsync(
        IndexerCheckpoint? checkpoint, BlockRef? last, List<BlockRef> blocks, List<(ChainLog Log, LogEntry Entry)> decoded, CancellationToken cancellationToken)
    {
        var channelIds = decoded
            .Select(d => d.Log.Channel switch
            {
                BatchVoucherRedeemedEvent e => e.ChannelId.ToString(),
                VoucherRedeemedEvent e => e.ChannelId.ToString(),
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var channels = new Dictionary<string, IndexedChannel>(StringComparer.Ordinal);
        if (channelIds.Count > 0)
        {
            foreach (var channel in await _store.GetChannelsAsync(Stream, channelIds, cancellationToken).ConfigureAwait(false))
            {
                channels[channel.ChannelId] = channel;
            }
        }

        var epoch = checkpoint?.Epoch ?? 0;
        var events = new List<BookedEvent>(decoded.Count);
        var transfers = new List<Transfer>();
        var accounts = new Dictionary<UInt128, Account>();
        var opened = new List<IndexedChannel>();
        foreach (var (log, _) in decoded)
        {
            var booking = _mapper.Map(log, epoch, channels);
            events.Add(booking.Event);
            transfers.AddRange(booking.Transfers);
            foreach (var account in booking.Accounts)
            {
                accounts.TryAdd(account.Id, account);
            }

            if (booking.OpenedChannel is { } channel)
            {
                opened.Add(channel);
            }
        }

        return new ChainBlockBatch(
            Stream, _options.ChainId, last, blocks[^1], blocks, [.. accounts.Values.OrderBy(a => a.Id)], transfers, events, opened);
    }

    private async Task<IndexerPollResult> RollBackAsync(IndexerCheckpoint checkpoint, BlockRef last, ulong head, CancellationToken cancellationToken)
    {
        LogReorg(_logger, Stream, last.Number, last.Hash);
        await StepAsync(IndexerStep.ReorgDetected, cancellationToken).ConfigureAwait(false);
        BlockRef? target = null;
        var below = last.Number;
        while (target is null)
        {
            var page = await _store.GetBlocksAsync(Stream, below, ReorgSearchPage, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                var onChain = await _source.GetBlockAsync(stored.Number, cancellationToken).ConfigureAwait(false);
                if (onChain is not null && string.Equals(onChain.Hash, stored.Hash, StringComparison.Ordinal))
                {
                    target = stored;
                    break;
                }
            }

            if (target is not null || page.Count < ReorgSearchPage || page[^1].Number == 0)
            {
                break;
            }

            below = page[^1].Number - 1;
        }

        var result = await _store.RollbackAsync(new ChainRollback(Stream, last, target), _onStep, cancellationToken).ConfigureAwait(false);
        if (!result.Applied)
        {
            if (result.Refusal == ChainIndexRefusal.CheckpointMismatch)
            {
                LogConflict(_logger, Stream, result.Detail);
                return new IndexerPollResult(IndexerPollOutcome.Conflict, checkpoint, head, Detail: result.Detail);
            }

            throw new InvalidOperationException($"Indexer stream '{Stream}': the store refused the rollback to {target?.ToString() ?? "the start"}: {result.Refusal} ({result.Detail}).");
        }

        await StepAsync(IndexerStep.Committed, cancellationToken).ConfigureAwait(false);
        LogRolledBack(_logger, Stream, last.Number, target?.Number, result.EventsReversed, result.TransfersReversed);
        return new IndexerPollResult(IndexerPollOutcome.RolledBack, result.Checkpoint, head, EventsReversed: result.EventsReversed);
    }

    private ValueTask StepAsync(IndexerStep step, CancellationToken cancellationToken) =>
        _onStep is null ? ValueTask.CompletedTask : _onStep(step, cancellationToken);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Indexer {Stream}: blocks {From}..{To} booked ({Events} events, {Transfers} transfers)")]
    private static partial void LogIndexed(ILogger logger, string stream, ulong from, ulong to, int events, int transfers);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Indexer {Stream}: checkpoint block {Number} ({Hash}) left the chain; rolling back")]
    private static partial void LogReorg(ILogger logger, string stream, ulong number, string hash);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Indexer {Stream}: rolled back from block {From} to {To}; {Events} events and {Transfers} transfers reversed")]
    private static partial void LogRolledBack(ILogger logger, string stream, ulong from, ulong? to, int events, int transfers);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Indexer {Stream}: the node refused {Asked} blocks of logs; range now {Range} ({Reason})")]
    private static partial void LogRangeReduced(ILogger logger, string stream, int asked, int range, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Indexer {Stream}: the chain changed while blocks {From}..{To} were read; retrying")]
    private static partial void LogChainMoved(ILogger logger, string stream, ulong from, ulong to);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Indexer {Stream}: another writer moved the checkpoint ({Detail}); continuing from it")]
    private static partial void LogConflict(ILogger logger, string stream, string? detail);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Indexer {Stream}: poll failed; retrying after the poll interval")]
    private static partial void LogPollFailed(ILogger logger, string stream, Exception exception);
}

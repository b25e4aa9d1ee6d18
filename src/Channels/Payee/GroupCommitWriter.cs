using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Payee;

/// <summary>
/// Group commit: callers enqueue a verified voucher and wait; one loop takes everything queued (up to a batch size)
/// and writes it in one store transaction, so one flush makes many vouchers durable. A caller's task completes only
/// after its voucher's transaction committed — acknowledging is never ahead of the disk. The queue is bounded:
/// when it is full, callers wait (back-pressure) instead of growing memory.
/// </summary>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly IVoucherStore _store;
    private readonly PayeeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _maxBatch;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;

    public GroupCommitWriter(IVoucherStore store, int maxBatch, int capacity, PayeeMetrics metrics, ILogger logger)
    {
        _store = store;
        _maxBatch = maxBatch;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a write and waits until it is durable. Throws if the store failed or the writer stopped.</summary>
    public async ValueTask<VoucherWriteResult> WriteAsync(StoredVoucher voucher, CancellationToken cancellationToken)
    {
        var pending = new Pending(voucher);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);

        // Once queued, the write happens whatever the caller does: it is not cancelled half-way.
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Stops taking writes and finishes those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var vouchers = new List<StoredVoucher>(_maxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            vouchers.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                vouchers.Add(pending.Voucher);
            }

            var started = Stopwatch.GetTimestamp();
            var done = batch.ToArray();
            try
            {
                var results = await _store.SaveNewestAsync(vouchers, CancellationToken.None).ConfigureAwait(false);
                _metrics.StoreBatch(batch.Count, Stopwatch.GetElapsedTime(started));
                ThreadPool.UnsafeQueueUserWorkItem(static state => Complete(state.Done, state.Results, null), (Done: done, Results: results), preferLocal: false);
            }
#pragma warning disable CA1031 // Every waiter must learn of the failure; the loop must survive it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogBatchFailed(_logger, batch.Count, ex);
                ThreadPool.UnsafeQueueUserWorkItem(static state => Complete(state.Done, null, state.Error), (Done: done, Error: ex), preferLocal: false);
            }
        }
    }

    /// <summary>
    /// Completes one batch's callers, on a thread-pool work item of its own: their continuations (the engine's answer
    /// and whatever awaits it) run inline there, one after another, while the loop already writes the next batch. One
    /// hop per batch instead of one per voucher: on a busy core the per-voucher hops cost as much as the store.
    /// </summary>
    private static void Complete(Pending[] done, IReadOnlyList<VoucherWriteResult>? results, Exception? error)
    {
        for (var i = 0; i < done.Length; i++)
        {
            if (error is null)
            {
                done[i].Completion.TrySetResult(results![i]);
            }
            else
            {
                done[i].Completion.TrySetException(error);
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Writing a batch of {Count} vouchers failed; none of them was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    private sealed class Pending(StoredVoucher voucher)
    {
        public StoredVoucher Voucher { get; } = voucher;

        // Continuations run inline: completed only from Complete, on a work item, never on the writer loop.
        public TaskCompletionSource<VoucherWriteResult> Completion { get; } = new();
    }
}

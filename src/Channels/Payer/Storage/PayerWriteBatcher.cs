using System.Numerics;
using System.Threading.Channels;
using Settlement.Channels.Payee;

namespace Settlement.Channels.Payer.Storage;

/// <summary>
/// Group commit for the payer's voucher writes: callers queue monotone updates and wait; one loop takes everything
/// queued, keeps the highest signed voucher and acknowledged amount per channel (a higher amount supersedes a lower
/// one) and writes them in one store transaction, then completes every waiter of the batch. Under concurrent payers
/// one flush serves many vouchers, so durable signing runs near the raw signing rate.
/// </summary>
internal sealed class PayerWriteBatcher : IAsyncDisposable
{
    private const int MaxGatherRounds = 8;
    private const int GatherTarget = 512;
    private readonly IPayerStore _store;
    private readonly Channel<(PayerVoucherWrite Write, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(PayerVoucherWrite, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PayerWriteBatcher(IPayerStore store)
    {
        _store = store;

        // A thread of its own, not a thread-pool worker: SQLite's commit blocks for the fsync, and on a device with one
        // core a blocked worker would stall the signers that should fill the next batch meanwhile.
        _thread = new Thread(Run) { IsBackground = true, Name = "payer-voucher-writer" };
        _thread.Start();
    }

    /// <summary>Queues a write and completes when it (or a higher one of the same channel) is durable.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public Task WriteAsync(PayerVoucherWrite write)
    {
        // Completed from one thread-pool work item per batch (below), never from the writer thread itself, so waiters'
        // continuations run there one after another instead of each being queued on its own.
        var done = new TaskCompletionSource();
        if (!_queue.Writer.TryWrite((write, done)))
        {
            throw new ObjectDisposedException(nameof(PayerWriteBatcher));
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<(PayerVoucherWrite Write, TaskCompletionSource Done)>();
        var merged = new Dictionary<ChannelKey, PayerVoucherWrite>();
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            merged.Clear();
            // Take what is queued; while writers are still adding (other threads signing), let them run a little and
            // take again, so one fsync covers more vouchers. Bounded: a lone payer's voucher is written at once.
            for (var round = 0; round < MaxGatherRounds; round++)
            {
                var before = batch.Count;
                while (_queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                    merged[item.Write.Key] = merged.TryGetValue(item.Write.Key, out var earlier) ? Merge(earlier, item.Write) : item.Write;
                }

                if (batch.Count == before || batch.Count >= GatherTarget || !Thread.Yield())
                {
                    break;
                }
            }

            var waiters = batch.Select(b => b.Done).ToArray();
            Exception? failure = null;
            try
            {
                _store.SaveVouchersAsync([.. merged.Values]).GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // A store fault fails every waiter of the batch with its cause; the loop goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            ThreadPool.UnsafeQueueUserWorkItem(static state => Complete(state.Waiters, state.Failure), (Waiters: waiters, Failure: failure), preferLocal: false);
        }

        _stopped.TrySetResult();
    }

    private static void Complete(TaskCompletionSource[] waiters, Exception? failure)
    {
        foreach (var done in waiters)
        {
            if (failure is null)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(failure);
            }
        }
    }

    private static PayerVoucherWrite Merge(PayerVoucherWrite a, PayerVoucherWrite b)
    {
        var signed = (a.Signed, b.Signed) switch
        {
            (null, var y) => y,
            (var x, null) => x,
            var (x, y) => x!.Voucher.CumulativeAmount >= y!.Voucher.CumulativeAmount ? x : y,
        };
        BigInteger? acknowledged = (a.Acknowledged, b.Acknowledged) switch
        {
            (null, var y) => y,
            (var x, null) => x,
            var (x, y) => BigInteger.Max(x!.Value, y!.Value),
        };
        return new PayerVoucherWrite(a.Key, signed, acknowledged);
    }
}

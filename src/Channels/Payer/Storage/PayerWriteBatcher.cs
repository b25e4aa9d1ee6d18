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
    private readonly IPayerStore _store;
    private readonly Channel<(PayerVoucherWrite Write, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(PayerVoucherWrite, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public PayerWriteBatcher(IPayerStore store)
    {
        _store = store;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a write and completes when it (or a higher one of the same channel) is durable.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public Task WriteAsync(PayerVoucherWrite write)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((write, done)))
        {
            throw new ObjectDisposedException(nameof(PayerWriteBatcher));
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<(PayerVoucherWrite Write, TaskCompletionSource Done)>();
        var merged = new Dictionary<ChannelKey, PayerVoucherWrite>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            merged.Clear();
            while (_queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
                merged[item.Write.Key] = merged.TryGetValue(item.Write.Key, out var before) ? Merge(before, item.Write) : item.Write;
            }

            try
            {
                await _store.SaveVouchersAsync([.. merged.Values]).ConfigureAwait(false);
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
            }
#pragma warning disable CA1031 // A store fault fails every waiter of the batch with its cause; the loop goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
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

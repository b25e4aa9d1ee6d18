using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer.Storage;

/// <summary>
/// A voucher store that records each batch it is given; its first batch can be held until <see cref="Release"/>, so a
/// test can queue writes behind it. Fails the batches listed in <see cref="FailBatches"/>.
/// </summary>
internal sealed class RecordingPayerStore : IPayerStore
{
    private readonly object _gate = new();
    private readonly List<IReadOnlyList<PayerVoucherWrite>> _batches = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordingPayerStore(bool holdFirstBatch) => HoldFirstBatch = holdFirstBatch;

    public bool HoldFirstBatch { get; }

    public HashSet<int> FailBatches { get; } = [];

    /// <summary>Completes when the first batch reached the store.</summary>
    public Task FirstBatchStarted => _firstStarted.Task;

    public IReadOnlyList<IReadOnlyList<PayerVoucherWrite>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public void Release() => _release.TrySetResult();

    public async Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default)
    {
        int index;
        lock (_gate)
        {
            _batches.Add([.. writes]);
            index = _batches.Count - 1;
        }

        if (index == 0)
        {
            _firstStarted.TrySetResult();
            if (HoldFirstBatch)
            {
                await _release.Task;
            }
        }

        if (FailBatches.Contains(index))
        {
            throw new IOException($"injected fault in batch {index}");
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

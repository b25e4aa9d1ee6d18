using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;

namespace Settlement.Benchmarks.Payer;

/// <summary>
/// Counts the voucher batches written through it (the group commit's batch size is vouchers ÷ batches); with no
/// inner store it keeps channels in memory and discards voucher writes (the "no store" reference row).
/// </summary>
internal sealed class CountingPayerStore(IPayerStore? inner) : IPayerStore
{
    private readonly Dictionary<ChannelKey, StoredPayerChannel> _channels = [];

    public long Batches;

    public Task MigrateAsync(CancellationToken cancellationToken = default) => inner?.MigrateAsync(cancellationToken) ?? Task.CompletedTask;

    public Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default)
    {
        if (inner is not null)
        {
            return inner.SaveChannelAsync(channel, cancellationToken);
        }

        lock (_channels)
        {
            _channels[channel.Key] = new StoredPayerChannel(channel, null, 0, null);
        }

        return Task.CompletedTask;
    }

    public Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Batches);
        return inner?.SaveVouchersAsync(writes, cancellationToken) ?? Task.CompletedTask;
    }

    public Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default) =>
        inner?.SaveRefundAsync(key, refund, cancellationToken) ?? Task.FromResult(true);

    public Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default) =>
        inner?.AppendReceiptAsync(receipt, cancellationToken) ?? Task.CompletedTask;

    public Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default) =>
        inner?.SaveMeterAsync(meter, cancellationToken) ?? Task.CompletedTask;

    public Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default) =>
        inner?.GetMeterAsync(key, name, cancellationToken) ?? Task.FromResult<PayerMeterState?>(null);

    public Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        if (inner is not null)
        {
            return inner.GetChannelAsync(key, cancellationToken);
        }

        lock (_channels)
        {
            return Task.FromResult(_channels.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        inner?.ListChannelsAsync(cancellationToken) ?? Task.FromResult<IReadOnlyList<StoredPayerChannel>>([.. _channels.Values]);

    public Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
        inner?.ListReceiptsAsync(key, cancellationToken) ?? Task.FromResult<IReadOnlyList<PayerReceipt>>([]);
}

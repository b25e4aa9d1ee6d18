using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// <see cref="IPayerStore"/> in memory, for tests only: what it holds is what "survived" a crash. Can fail its voucher
/// writes after a number of batches (a disk fault or a crash in the middle of a write).
/// </summary>
internal sealed class InMemoryPayerStore : IPayerStore
{
    private readonly object _gate = new();
    private readonly Dictionary<ChannelKey, StoredPayerChannel> _channels = [];
    private readonly List<PayerReceipt> _receipts = [];
    private readonly Dictionary<(ChannelKey, string), PayerMeterState> _meters = [];

    /// <summary>Meter saves so far.</summary>
    public int MeterSaves { get; private set; }

    /// <summary>When set, meter saves after this many fail (a crash before the write).</summary>
    public int? FailMeterSavesAfter { get; set; }

    /// <summary>Voucher batches written so far.</summary>
    public int Batches { get; private set; }

    /// <summary>When set, voucher batches after this many fail (and write nothing).</summary>
    public int? FailAfterBatches { get; set; }

    /// <summary>Refund writes asked for (accepted or not).</summary>
    public int RefundSaves { get; private set; }

    /// <summary>When set, the next <see cref="GetChannelAsync"/> fails once (a read fault while loading).</summary>
    public bool FailNextRead { get; set; }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(channel.Key, out var stored))
            {
                var status = (PayerChannelStatus)Math.Max((int)stored.Record.Status, (int)channel.Status);
                _channels[channel.Key] = stored with { Record = channel with { Status = status, PayeeStreamUrl = channel.PayeeStreamUrl ?? stored.Record.PayeeStreamUrl } };
            }
            else
            {
                _channels[channel.Key] = new StoredPayerChannel(channel, null, BigInteger.Zero, null);
            }
        }

        return Task.CompletedTask;
    }

    public async Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (FailAfterBatches is { } limit && Batches >= limit)
            {
                throw new IOException("injected store fault");
            }

            Batches++;
            foreach (var write in writes)
            {
                if (!_channels.TryGetValue(write.Key, out var stored))
                {
                    throw new InvalidOperationException($"channel {write.Key} not stored");
                }

                if (write.Signed is { } v && v.Voucher.CumulativeAmount > stored.SignedAmount)
                {
                    stored = stored with { Signed = v };
                }

                if (write.Acknowledged is { } a && a > stored.Acknowledged)
                {
                    stored = stored with { Acknowledged = a };
                }

                _channels[write.Key] = stored;
            }
        }
    }

    public Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            RefundSaves++;
            var stored = _channels[key];
            if (stored.Refund is { } old && old.Voucher.CumulativeAmount >= refund.Voucher.CumulativeAmount)
            {
                return Task.FromResult(false);
            }

            _channels[key] = stored with { Refund = refund };
            return Task.FromResult(true);
        }
    }

    public Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _receipts.Add(receipt);
        }

        return Task.CompletedTask;
    }

    public Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (FailMeterSavesAfter is { } limit && MeterSaves >= limit)
            {
                return Task.FromException(new IOException("injected meter store fault"));
            }

            if (!_channels.ContainsKey(meter.Key))
            {
                return Task.FromException(new InvalidOperationException($"channel {meter.Key} not stored"));
            }

            MeterSaves++;
            _meters[(meter.Key, meter.Name)] = meter;
        }

        return Task.CompletedTask;
    }

    public Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_meters.GetValueOrDefault((key, name)));
        }
    }

    public Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (FailNextRead)
            {
                FailNextRead = false;
                return Task.FromException<StoredPayerChannel?>(new IOException("injected read fault"));
            }

            return Task.FromResult(_channels.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredPayerChannel>>([.. _channels.Values]);
        }
    }

    public Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<PayerReceipt>>([.. _receipts.Where(r => r.Key == key)]);
        }
    }
}

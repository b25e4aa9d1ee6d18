using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Tests.Payee;

/// <summary>
/// A test store with the interface's semantics (conditional monotone writes, one call per batch), counting batches
/// and able to fail on demand. The real SQLite and PostgreSQL stores pass the same contract in the integration tests.
/// </summary>
internal sealed class InMemoryVoucherStore : IVoucherStore
{
    private readonly Dictionary<ChannelKey, StoredVoucher> _newest = [];
    private readonly Dictionary<ChannelKey, StoredChannel> _channels = [];
    private readonly List<VelocityFlag> _flags = [];
    private readonly Dictionary<ChannelKey, CloseAgreement> _agreements = [];
    private readonly Dictionary<ChannelKey, CloseRequest> _requests = [];
    private readonly List<IssuedRefund> _refunds = [];

    /// <summary>Refunds stored (every one, oldest first).</summary>
    public IReadOnlyList<IssuedRefund> Refunds
    {
        get
        {
            lock (_refunds)
            {
                return _refunds.ToList();
            }
        }
    }

    public Exception? FailNextRefund { get; set; }

    /// <summary>Holds each refund write until released (to look at the engine while a refund is in flight).</summary>
    public TaskCompletionSource? RefundGate { get; set; }

    /// <summary>Runs once before the next refund write (another instance acting between the engine's check and its write).</summary>
    public Func<Task>? BeforeNextRefund { get; set; }

    public async Task<bool> SaveRefundAsync(IssuedRefund refund, CancellationToken cancellationToken = default)
    {
        if (BeforeNextRefund is { } before)
        {
            BeforeNextRefund = null;
            await before().ConfigureAwait(false);
        }

        if (RefundGate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }

        lock (_refunds)
        {
            if (FailNextRefund is { } failure)
            {
                FailNextRefund = null;
                throw failure;
            }

            var mine = _refunds.Where(r => r.Key == refund.Key).ToList();
            var extendsTip = refund.Previous.IsZero ? mine.Count == 0 : mine.Any(r => r.Cumulative == refund.Previous) && mine.All(r => r.Previous != refund.Previous);
            if (!extendsTip || mine.Any(r => r.IdempotencyKey == refund.IdempotencyKey))
            {
                return false;
            }

            _refunds.Add(refund);
            return true;
        }
    }

    public Task<IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        lock (_refunds)
        {
            return Task.FromResult(_refunds.FirstOrDefault(r => r.Key == key && r.IdempotencyKey == idempotencyKey));
        }
    }

    public Task<IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_refunds)
        {
            return Task.FromResult(_refunds.Where(r => r.Key == key).MaxBy(r => r.Cumulative));
        }
    }

    public Task<IReadOnlyList<IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default)
    {
        lock (_refunds)
        {
            return Task.FromResult<IReadOnlyList<IssuedRefund>>(_refunds.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Cumulative)!).ToList());
        }
    }

    public Exception? FailNextAgreement { get; set; }

    public int Batches { get; private set; }

    public int LargestBatch { get; private set; }

    public int Migrations { get; private set; }

    public Exception? FailNextWrite { get; set; }

    /// <summary>Holds each batch until released (to test queueing and shutdown).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Holds each close agreement write until released (to look at the engine while it is in flight).</summary>
    public TaskCompletionSource? AgreementGate { get; set; }

    public async Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default)
    {
        if (AgreementGate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }

        lock (_agreements)
        {
            if (FailNextAgreement is { } failure)
            {
                FailNextAgreement = null;
                throw failure;
            }

            _agreements[agreement.Key] = agreement;
        }
    }

    public Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default)
    {
        lock (_agreements)
        {
            return Task.FromResult<IReadOnlyList<CloseAgreement>>(_agreements.Values.ToList());
        }
    }

    public Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        lock (_requests)
        {
            _requests[request.Key] = request;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default)
    {
        lock (_requests)
        {
            return Task.FromResult<IReadOnlyList<CloseRequest>>(_requests.Values.ToList());
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Migrations++;
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default)
    {
        if (Gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }

        lock (_newest)
        {
            Batches++;
            LargestBatch = Math.Max(LargestBatch, vouchers.Count);
            if (FailNextWrite is { } failure)
            {
                FailNextWrite = null;
                throw failure;
            }

            var results = new List<VoucherWriteResult>(vouchers.Count);
            foreach (var v in vouchers)
            {
                var previous = _newest.TryGetValue(v.Key, out var old) ? old.Cumulative : BigInteger.Zero;
                if (v.Cumulative > previous)
                {
                    _newest[v.Key] = v;
                    results.Add(new VoucherWriteResult(true, previous, v.Cumulative));
                }
                else
                {
                    results.Add(new VoucherWriteResult(false, previous, previous));
                }
            }

            return results;
        }
    }

    public Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_newest)
        {
            return Task.FromResult(_newest.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default)
    {
        lock (_newest)
        {
            return Task.FromResult<IReadOnlyList<StoredVoucher>>([.. _newest.Values]);
        }
    }

    public Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(channel.View.Key, out var old) || old.BlockNumber <= channel.BlockNumber)
            {
                _channels[channel.View.Key] = channel;
            }
        }

        return Task.CompletedTask;
    }

    public Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_channels)
        {
            return Task.FromResult(_channels.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        lock (_channels)
        {
            return Task.FromResult<IReadOnlyList<StoredChannel>>([.. _channels.Values]);
        }
    }

    public Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default)
    {
        lock (_flags)
        {
            _flags.Add(flag);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_flags)
        {
            return Task.FromResult<IReadOnlyList<VelocityFlag>>([.. _flags.Where(f => f.RaisedAt >= since)]);
        }
    }
}

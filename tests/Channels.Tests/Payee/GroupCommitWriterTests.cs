using System.Numerics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Tests.Support;
using Settlement.Channels.Tests.Watchtower;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee;

public sealed class GroupCommitWriterTests : IDisposable
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private readonly ChannelKey _key = new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), ChannelId.FromBytes(new byte[32]));
    private readonly GatedStore _store = new();
    private readonly MeterRecorder<PayeeMetrics> _meters = new(f => new PayeeMetrics(f));
    private readonly CapturingLogger<GroupCommitWriterTests> _logger = new();

    public void Dispose() => _meters.Dispose();

    private GroupCommitWriter Writer(int maxBatch = 3, int capacity = 16) => new(_store, maxBatch, capacity, _meters.Metrics, _logger);

    private StoredVoucher Voucher(BigInteger amount) => new(_key, Payer, amount, new byte[65], DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Write_One_DurableResultAndOneBatchMeasured()
    {
        _store.Open = true;
        await using var writer = Writer();

        var result = await writer.WriteAsync(Voucher(100), CancellationToken.None);

        result.ShouldBe(new VoucherWriteResult(true, 0, 100));
        _store.BatchSizes.ShouldBe([1]);
        _meters.Measurements.Where(m => m.Key == "payee.store.batch.size").Select(m => m.Value).ShouldBe([1d]);
        _meters.Measurements.Count(m => m.Key == "payee.store.batch.duration").ShouldBe(1);
    }

    [Fact]
    public async Task Write_QueuedWhileTheStoreWrites_NextBatchesUpToTheMaximumEachWaiterItsOwnResult()
    {
        await using var writer = Writer(maxBatch: 3);
        var first = writer.WriteAsync(Voucher(100), CancellationToken.None).AsTask();
        await _store.Entered(1);
        var queued = Enumerable.Range(2, 5).Select(i => writer.WriteAsync(Voucher(i * 100), CancellationToken.None).AsTask()).ToArray();

        _store.Open = true;
        var results = await Task.WhenAll([first, .. queued]);

        _store.BatchSizes.ShouldBe([1, 3, 2]);
        results.Select(r => (int)r.Previous).ShouldBe([0, 100, 200, 300, 400, 500]);
        results.Select(r => (int)r.Stored).ShouldBe([100, 200, 300, 400, 500, 600]);
        results.ShouldAllBe(r => r.Applied);
        _meters.Measurements.Where(m => m.Key == "payee.store.batch.size").Select(m => m.Value).ShouldBe([1d, 3d, 2d]);
    }

    [Fact]
    public async Task Write_StoreFails_EveryWaiterOfTheBatchFailsLoggedAndTheNextBatchIsWritten()
    {
        await using var writer = Writer(maxBatch: 3);
        var first = writer.WriteAsync(Voucher(100), CancellationToken.None).AsTask();
        await _store.Entered(1);
        var failing = Enumerable.Range(2, 3).Select(i => writer.WriteAsync(Voucher(i * 100), CancellationToken.None).AsTask()).ToArray();
        _store.FailBatch = 2;

        _store.Open = true;
        (await first).Applied.ShouldBeTrue();
        foreach (var task in failing)
        {
            (await Should.ThrowAsync<IOException>(task)).ShouldBeSameAs(_store.Failure);
        }

        (await writer.WriteAsync(Voucher(700), CancellationToken.None)).ShouldBe(new VoucherWriteResult(true, 100, 700));
        var error = _logger.Entries.ShouldHaveSingleItem();
        error.Level.ShouldBe(LogLevel.Error);
        error.EventId.Id.ShouldBe(2101);
        error.Message.ShouldBe("Writing a batch of 3 vouchers failed; none of them was acknowledged");
        error.Exception.ShouldBeSameAs(_store.Failure);
        _meters.Measurements.Where(m => m.Key == "payee.store.batch.size").Select(m => m.Value).ShouldBe([1d, 1d]);
    }

    [Fact]
    public async Task Write_QueueFull_TheCallerWaitsAndMayGiveUpBeforeItIsQueued()
    {
        await using var writer = Writer(maxBatch: 1, capacity: 1);
        var first = writer.WriteAsync(Voucher(100), CancellationToken.None).AsTask();
        await _store.Entered(1);
        using var queuedToken = new CancellationTokenSource();
        var second = writer.WriteAsync(Voucher(200), queuedToken.Token).AsTask(); // fills the one place
        using var waitingToken = new CancellationTokenSource();
        var third = writer.WriteAsync(Voucher(300), waitingToken.Token).AsTask();

        third.IsCompleted.ShouldBeFalse();
        await waitingToken.CancelAsync();
        await queuedToken.CancelAsync(); // once queued, a write is not cancelled
        await Should.ThrowAsync<OperationCanceledException>(third);
        _store.Open = true;

        (await first).Stored.ShouldBe(100);
        (await second).Stored.ShouldBe(200);
        _store.Written.ShouldBe([100, 200]);
    }

    [Fact]
    public async Task Dispose_FinishesTheQueuedWritesThenRefusesNewOnes()
    {
        var writer = Writer(maxBatch: 2);
        var first = writer.WriteAsync(Voucher(100), CancellationToken.None).AsTask();
        await _store.Entered(1);
        var queued = Enumerable.Range(2, 3).Select(i => writer.WriteAsync(Voucher(i * 100), CancellationToken.None).AsTask()).ToArray();

        var disposing = writer.DisposeAsync().AsTask();
        disposing.IsCompleted.ShouldBeFalse();
        await Should.ThrowAsync<ChannelClosedException>(writer.WriteAsync(Voucher(900), CancellationToken.None).AsTask());
        _store.Open = true;
        await disposing;

        (await Task.WhenAll([first, .. queued])).Select(r => (int)r.Stored).ShouldBe([100, 200, 300, 400]);
        _store.BatchSizes.ShouldBe([1, 2, 1]);
        _store.Written.ShouldBe([100, 200, 300, 400]);
    }

    /// <summary>
    /// A voucher store that holds each batch until <see cref="Open"/>, says when a batch entered, keeps the batch sizes and
    /// can fail one batch.
    /// </summary>
    private sealed class GatedStore : IVoucherStore
    {
        private readonly InMemoryVoucherStore _inner = new();
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int> _sizes = [];
        private readonly List<int> _written = [];
        private readonly SemaphoreSlim _entered = new(0);

        public bool Open
        {
            set
            {
                if (value)
                {
                    _open.TrySetResult();
                }
            }
        }

        /// <summary>The 1-based number of the batch that fails with <see cref="Failure"/>.</summary>
        public int? FailBatch { get; set; }

        public Exception Failure { get; } = new IOException("disk full");

        public IReadOnlyList<int> BatchSizes
        {
            get
            {
                lock (_sizes)
                {
                    return _sizes.ToList();
                }
            }
        }

        public IReadOnlyList<int> Written
        {
            get
            {
                lock (_sizes)
                {
                    return _written.ToList();
                }
            }
        }

        public async Task Entered(int batches)
        {
            for (var i = 0; i < batches; i++)
            {
                (await _entered.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
            }
        }

        public async Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default)
        {
            _entered.Release();
            await _open.Task;
            int number;
            lock (_sizes)
            {
                _sizes.Add(vouchers.Count);
                number = _sizes.Count;
            }

            if (number == FailBatch)
            {
                throw Failure;
            }

            lock (_sizes)
            {
                _written.AddRange(vouchers.Select(v => (int)v.Cumulative));
            }

            return await _inner.SaveNewestAsync(vouchers, cancellationToken);
        }

        public Task MigrateAsync(CancellationToken cancellationToken = default) => _inner.MigrateAsync(cancellationToken);

        public Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default) => _inner.GetNewestAsync(key, cancellationToken);

        public Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default) => _inner.ListNewestAsync(cancellationToken);

        public Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default) => _inner.SaveChannelAsync(channel, cancellationToken);

        public Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default) => _inner.GetChannelAsync(key, cancellationToken);

        public Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) => _inner.ListChannelsAsync(cancellationToken);

        public Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default) => _inner.SaveCloseAgreementAsync(agreement, cancellationToken);

        public Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default) => _inner.ListCloseAgreementsAsync(cancellationToken);

        public Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default) => _inner.SaveCloseRequestAsync(request, cancellationToken);

        public Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default) => _inner.ListCloseRequestsAsync(cancellationToken);

        public Task<bool> SaveRefundAsync(IssuedRefund refund, CancellationToken cancellationToken = default) => _inner.SaveRefundAsync(refund, cancellationToken);

        public Task<IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default) =>
            _inner.GetRefundAsync(key, idempotencyKey, cancellationToken);

        public Task<IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default) => _inner.GetNewestRefundAsync(key, cancellationToken);

        public Task<IReadOnlyList<IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default) => _inner.ListNewestRefundsAsync(cancellationToken);

        public Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default) => _inner.AppendFlagAsync(flag, cancellationToken);

        public Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => _inner.ListFlagsAsync(since, cancellationToken);
    }
}

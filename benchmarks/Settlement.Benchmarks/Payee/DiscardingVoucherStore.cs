using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// A store that keeps nothing, for measuring the engine's own memory: every write is applied over nothing stored
/// (the engine's slot is then the only copy of the amount), every read finds nothing.
/// </summary>
internal sealed class DiscardingVoucherStore : IVoucherStore
{
    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<VoucherWriteResult>>(vouchers.Select(v => new VoucherWriteResult(true, 0, v.Cumulative)).ToArray());

    public Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default) => Task.FromResult<StoredVoucher?>(null);

    public Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<StoredVoucher>>([]);

    public Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default) => Task.FromResult<StoredChannel?>(null);

    public Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<StoredChannel>>([]);

    public Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<VelocityFlag>>([]);

    public Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CloseAgreement>>([]);

    public Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CloseRequest>>([]);

    public Task<bool> SaveRefundAsync(Settlement.Channels.Payee.Refunds.IssuedRefund refund, CancellationToken cancellationToken = default) => Task.FromResult(true);

    public Task<Settlement.Channels.Payee.Refunds.IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult<Settlement.Channels.Payee.Refunds.IssuedRefund?>(null);

    public Task<Settlement.Channels.Payee.Refunds.IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult<Settlement.Channels.Payee.Refunds.IssuedRefund?>(null);

    public Task<IReadOnlyList<Settlement.Channels.Payee.Refunds.IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Settlement.Channels.Payee.Refunds.IssuedRefund>>([]);
}

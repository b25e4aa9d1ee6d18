using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// The app's real voucher store with one write that can be held: a batch holding the cumulative amount given to
/// <see cref="Hold"/> waits, before it reaches the store, until <see cref="Release"/> (a disk slower than the
/// requests). Every other call goes straight through.
/// </summary>
internal sealed class HeldWriteVoucherStore(IVoucherStore inner) : IVoucherStore
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BigInteger? _held;

    /// <summary>Completes when the held write has reached the store and waits.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Holds the write of <paramref name="cumulative"/> (once).</summary>
    public void Hold(BigInteger cumulative) => _held = cumulative;

    /// <summary>Lets the held write go on to the store.</summary>
    public void Release() => _released.TrySetResult();

    public async Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default)
    {
        if (_held is { } held && vouchers.Any(v => v.Cumulative == held))
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await inner.SaveNewestAsync(vouchers, cancellationToken);
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

    public Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default) => inner.GetNewestAsync(key, cancellationToken);

    public Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default) => inner.ListNewestAsync(cancellationToken);

    public Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default) => inner.SaveChannelAsync(channel, cancellationToken);

    public Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default) => inner.GetChannelAsync(key, cancellationToken);

    public Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) => inner.ListChannelsAsync(cancellationToken);

    public Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default) =>
        inner.SaveCloseAgreementAsync(agreement, cancellationToken);

    public Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default) =>
        inner.ListCloseAgreementsAsync(cancellationToken);

    public Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default) => inner.SaveCloseRequestAsync(request, cancellationToken);

    public Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default) => inner.ListCloseRequestsAsync(cancellationToken);

    public Task<bool> SaveRefundAsync(IssuedRefund refund, CancellationToken cancellationToken = default) => inner.SaveRefundAsync(refund, cancellationToken);

    public Task<IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.GetRefundAsync(key, idempotencyKey, cancellationToken);

    public Task<IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
        inner.GetNewestRefundAsync(key, cancellationToken);

    public Task<IReadOnlyList<IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default) =>
        inner.ListNewestRefundsAsync(cancellationToken);

    public Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default) => inner.AppendFlagAsync(flag, cancellationToken);

    public Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        inner.ListFlagsAsync(since, cancellationToken);
}

using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Payee.Storage;

/// <summary>
/// The payee's durable record: the newest voucher of each channel, the channels' confirmed on-chain view and the
/// velocity flags. Implementations (SQLite, PostgreSQL) use plain SQL with conditional, monotone updates, so several
/// payee instances can share one database and a PostgreSQL-compatible distributed database can hold it.
/// A method returns only after its writes are durable (committed and flushed).
/// </summary>
public interface IVoucherStore
{
    /// <summary>Creates or upgrades the schema; safe to call from every instance at start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores each voucher if its cumulative amount is above the stored one for its channel, all in one transaction
    /// (one flush for the batch: group commit). Returns one result per input, in order; several vouchers of one
    /// channel in a batch are applied in order.
    /// </summary>
    Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default);

    /// <summary>The newest stored voucher of a channel, or null.</summary>
    Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default);

    /// <summary>The newest stored voucher of every channel (for status and for redeeming).</summary>
    Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves a channel's confirmed view if it is at a later or equal block than the stored one.</summary>
    Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default);

    /// <summary>A channel's stored view, or null.</summary>
    Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default);

    /// <summary>Every stored channel view.</summary>
    Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the close agreement the payee signed for a channel, replacing the channel's earlier one (the engine signs
    /// a new one only after the earlier one expired). Durable before it returns: the signature is handed out only then.
    /// </summary>
    Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default);

    /// <summary>The newest close agreement of every channel (live or expired).</summary>
    Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the payee's request that the payer close a channel cooperatively, replacing the channel's earlier one.
    /// </summary>
    Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default);

    /// <summary>Every channel's close request (at most one per channel).</summary>
    Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a refund the payee signed if it extends the channel's newest refund (its <see cref="IssuedRefund.Previous"/>
    /// is the newest stored cumulative amount, 0 when there is none) and its idempotency key is new for the channel. One
    /// conditional statement: of two instances extending the same refund only one succeeds. Durable before it returns
    /// true: the refund is sent only then. False if nothing was stored (look the key up with <see cref="GetRefundAsync"/>).
    /// </summary>
    Task<bool> SaveRefundAsync(IssuedRefund refund, CancellationToken cancellationToken = default);

    /// <summary>The refund issued for <paramref name="idempotencyKey"/> on a channel, or null.</summary>
    Task<IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>The newest (highest cumulative) refund of a channel, or null.</summary>
    Task<IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default);

    /// <summary>The newest refund of every channel that has one.</summary>
    Task<IReadOnlyList<IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends a velocity flag (append-only).</summary>
    Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default);

    /// <summary>Flags raised at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

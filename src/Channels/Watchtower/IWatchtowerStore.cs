using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's durable state: delegations (newest voucher per channel), the checkpoint with recent block hashes,
/// the transactions it signed and its alerts. Every method is one atomic write or read; a write returns only once it
/// is durable.
/// </summary>
public interface IWatchtowerStore
{
    /// <summary>Creates or upgrades the schema; the host calls it once at start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="delegation"/> if its amount is above the held one (or none is held); the comparison and the
    /// write are one transaction. A newer voucher keeps the stored close deadline and finished flag.
    /// </summary>
    Task<DelegationWrite> SaveDelegationAsync(Delegation delegation, CancellationToken cancellationToken = default);

    /// <summary>The delegation of <paramref name="channelId"/>, or null.</summary>
    Task<Delegation?> GetDelegationAsync(ChannelId channelId, CancellationToken cancellationToken = default);

    /// <summary>The delegations not finished yet.</summary>
    Task<IReadOnlyList<Delegation>> ListActiveDelegationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Records the close deadline seen on chain (null: the close is gone, e.g. reorged out).</summary>
    Task SetCloseDeadlineAsync(ChannelId channelId, ulong? deadline, CancellationToken cancellationToken = default);

    /// <summary>Marks the channel finished (settled: nothing left to guard).</summary>
    Task SetFinishedAsync(ChannelId channelId, CancellationToken cancellationToken = default);

    /// <summary>The checkpoint, or null before the first poll.</summary>
    Task<WatchtowerCheckpoint?> GetCheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the checkpoint to <paramref name="head"/> (a block after the current one), adds it to the recent blocks and
    /// keeps only the newest <paramref name="keep"/>.
    /// </summary>
    Task AdvanceCheckpointAsync(BlockMark head, int keep, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rewinds after a reorg: forgets the recent blocks above <paramref name="forkPoint"/> and makes it the checkpoint
    /// (null: forget every block, the next poll starts again from the start block).
    /// </summary>
    Task RewindAsync(BlockMark? forkPoint, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) the transaction of one channel and kind; called before the node sees it.</summary>
    Task SaveDisputeAsync(DisputeRecord dispute, CancellationToken cancellationToken = default);

    /// <summary>The newest transaction of a channel and kind, or null.</summary>
    Task<DisputeRecord?> GetDisputeAsync(ChannelId channelId, DisputeKind kind, CancellationToken cancellationToken = default);

    /// <summary>Adds an alert unless one with the same channel, kind and amount exists; true if added.</summary>
    Task<bool> AddAlertAsync(WatchtowerAlert alert, CancellationToken cancellationToken = default);

    /// <summary>Every alert, oldest first.</summary>
    Task<IReadOnlyList<WatchtowerAlert>> ListAlertsAsync(CancellationToken cancellationToken = default);
}

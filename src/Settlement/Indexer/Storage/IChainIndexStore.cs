namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// The indexer's tables, kept in the ledger's database so that a batch of ledger transfers, the event keys that caused
/// them and the checkpoint commit in one transaction (SQLite and PostgreSQL behave the same; see docs/indexer.md).
/// Refusals are data (<see cref="ChainIndexWriteResult"/>) and leave the database unchanged.
/// </summary>
public interface IChainIndexStore
{
    /// <summary>The stream's checkpoint, or null when it never booked anything.</summary>
    Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>The stored block hashes of the stream at or below <paramref name="atOrBelow"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default);

    /// <summary>The stream's channels with these ids that it saw opened, with their payee's redeemed totals.</summary>
    Task<IReadOnlyList<IndexedChannel>> GetChannelsAsync(string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default);

    /// <summary>Every booked event of the stream, in chain order (block, log index).</summary>
    Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stream's booked events of one transaction (<paramref name="transactionHash"/>, 0x lower-case hex), in chain
    /// order; empty while the indexer has not confirmed it (or after a rollback forgot it). The settlement flows use it
    /// to learn that their own chain transaction is confirmed.
    /// </summary>
    Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a batch in one transaction: creates missing accounts, applies the transfers (a transfer that exists with
    /// the same fields counts as applied), records the events, channels and block hashes, and moves the checkpoint.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="onStep">Called inside the transaction at the <c>Store…</c> steps (diagnostics, fault injection).</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rolls the stream back to <see cref="ChainRollback.Target"/> in one transaction: reverses (with new, deterministic
    /// transfers; the journal is append-only) every transfer booked above it, newest first; forgets those events,
    /// channels and block hashes; moves the checkpoint back and increments its epoch.
    /// </summary>
    Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default);
}

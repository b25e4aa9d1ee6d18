using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// What the indexer books for a range of confirmed blocks, applied by <see cref="IChainIndexStore.ApplyBatchAsync"/> in
/// one database transaction: the accounts to create (idempotent), the ledger transfers, the booked event keys, the
/// channels opened, the hashes of the blocks that held events and the new checkpoint.
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="ChainId">The chain.</param>
/// <param name="Expected">The checkpoint this batch continues from (null when the stream has none): a stale indexer is refused.</param>
/// <param name="NewCheckpoint">The last block of the range.</param>
/// <param name="Blocks">Blocks whose hash is recorded (those with events), ascending, each above the checkpoint and at most the new one.</param>
/// <param name="Accounts">Accounts the transfers touch (created when missing).</param>
/// <param name="Transfers">The ledger transfers, in chain order.</param>
/// <param name="Events">The booked events, in chain order.</param>
/// <param name="Channels">Channels opened in the range.</param>
public sealed record ChainBlockBatch(
    string Stream,
    ulong ChainId,
    BlockRef? Expected,
    BlockRef NewCheckpoint,
    IReadOnlyList<BlockRef> Blocks,
    IReadOnlyList<Account> Accounts,
    IReadOnlyList<Transfer> Transfers,
    IReadOnlyList<BookedEvent> Events,
    IReadOnlyList<IndexedChannel> Channels);

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// Undo what the blocks above <paramref name="Target"/> booked (after a reorg replaced them): reverse their ledger
/// transfers with new transfers, forget their events, channels and block hashes, and move the checkpoint back to
/// <paramref name="Target"/> — in one database transaction (<see cref="IChainIndexStore.RollbackAsync"/>).
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="Expected">The checkpoint the caller saw (a stale caller is refused).</param>
/// <param name="Target">A stored block still on the canonical chain, or null to roll back everything the stream booked.</param>
public sealed record ChainRollback(string Stream, BlockRef Expected, BlockRef? Target);

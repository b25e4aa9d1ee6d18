namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// Where an indexer stream stands, written in the same database transaction as the ledger changes it caused.
/// </summary>
/// <param name="Stream">The stream's name (one chain, contract and token).</param>
/// <param name="ChainId">The chain.</param>
/// <param name="Block">The last block indexed, or null when nothing is (yet, or after a rollback past the start).</param>
/// <param name="Epoch">Incremented by every rollback; part of each transfer id, so an event re-booked after a reorg gets new transfers.</param>
/// <param name="EventsBooked">Events booked and not rolled back.</param>
/// <param name="Reorgs">Rollbacks performed.</param>
public sealed record IndexerCheckpoint(string Stream, ulong ChainId, BlockRef? Block, long Epoch, long EventsBooked, long Reorgs);

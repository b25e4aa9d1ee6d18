using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Indexer;

/// <summary>What an indexer run did (<see cref="ChainIndexer.RunUntilCaughtUpAsync"/>, <see cref="ChainIndexer.FollowAsync"/>).</summary>
/// <param name="BlocksIndexed">Blocks indexed.</param>
/// <param name="EventsBooked">Events booked (with or without ledger transfers).</param>
/// <param name="TransfersBooked">Ledger transfers booked.</param>
/// <param name="ReorgsHandled">Rollbacks after reorgs.</param>
/// <param name="EventsReversed">Booked events those rollbacks reversed.</param>
/// <param name="RangeReductions">Times the node refused a log range and it was halved.</param>
/// <param name="Checkpoint">The checkpoint at the end.</param>
/// <param name="Head">The node's head at the last poll.</param>
public sealed record IndexerRunSummary(
    long BlocksIndexed, long EventsBooked, long TransfersBooked, long ReorgsHandled, long EventsReversed, long RangeReductions, IndexerCheckpoint? Checkpoint, ulong Head);

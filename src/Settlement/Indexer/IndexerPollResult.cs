using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Indexer;

/// <summary>The outcome of <see cref="ChainIndexer.PollOnceAsync"/>, as data.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Checkpoint">The stream's checkpoint afterwards (null when it has none).</param>
/// <param name="Head">The node's head block.</param>
/// <param name="Blocks">Blocks indexed (for <see cref="IndexerPollOutcome.Indexed"/>).</param>
/// <param name="EventsBooked">Events booked.</param>
/// <param name="TransfersBooked">Ledger transfers booked.</param>
/// <param name="EventsReversed">Events reversed by a rollback.</param>
/// <param name="Detail">Why, for the outcomes that did not write.</param>
public sealed record IndexerPollResult(
    IndexerPollOutcome Outcome,
    IndexerCheckpoint? Checkpoint,
    ulong Head,
    long Blocks = 0,
    int EventsBooked = 0,
    int TransfersBooked = 0,
    int EventsReversed = 0,
    string? Detail = null);

using Settlement.Service.Indexer.Storage;

namespace Settlement.SettlementService.Indexer;

/// <summary>One consistent view of <see cref="IndexerStatus"/>.</summary>
/// <param name="Checkpoint">The checkpoint after the last successful poll.</param>
/// <param name="Head">The node's head at the last successful poll.</param>
/// <param name="LastPollAt">When the last poll ended (either way).</param>
/// <param name="LastSuccessAt">When the last successful poll ended.</param>
/// <param name="LastError">The last failure (type and message), kept after a recovery.</param>
/// <param name="LastErrorAt">When it happened.</param>
/// <param name="ConsecutiveFailures">Polls in a row that failed (0 after a success).</param>
internal sealed record IndexerStatusSnapshot(
    IndexerCheckpoint? Checkpoint,
    ulong? Head,
    DateTimeOffset? LastPollAt,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int ConsecutiveFailures);

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// The outcome of <see cref="IChainIndexStore.ApplyBatchAsync"/> or <see cref="IChainIndexStore.RollbackAsync"/>:
/// applied (with the new checkpoint) or refused (with the reason and a detail; nothing changed).
/// </summary>
/// <param name="Refusal">Null when applied.</param>
/// <param name="Detail">What was refused, for logs and operators.</param>
/// <param name="Checkpoint">The checkpoint after an applied write.</param>
/// <param name="EventsReversed">For a rollback: how many booked events it reversed.</param>
/// <param name="TransfersReversed">For a rollback: how many ledger transfers it reversed.</param>
public sealed record ChainIndexWriteResult(
    ChainIndexRefusal? Refusal, string? Detail, IndexerCheckpoint? Checkpoint, int EventsReversed = 0, int TransfersReversed = 0)
{
    /// <summary>True when the write was applied.</summary>
    public bool Applied => Refusal is null;

    /// <summary>A refusal.</summary>
    public static ChainIndexWriteResult Refused(ChainIndexRefusal refusal, string detail) => new(refusal, detail, null);
}

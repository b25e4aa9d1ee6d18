namespace Settlement.Service.Indexer;

/// <summary>
/// The steps of one indexer poll, in order, reported to an optional hook (diagnostics; tests inject crashes at each).
/// The <c>Store…</c> steps run inside the store's database transaction, before its commit.
/// </summary>
public enum IndexerStep
{
    /// <summary>The checkpoint was read from the store.</summary>
    CheckpointRead = 1,

    /// <summary>The node's head was read.</summary>
    HeadRead,

    /// <summary>The checkpoint block's hash differs on chain: a rollback follows.</summary>
    ReorgDetected,

    /// <summary>The logs of the range were read.</summary>
    LogsRead,

    /// <summary>The blocks of the range were checked against the checkpoint and the logs' block hashes.</summary>
    BlocksVerified,

    /// <summary>The events were mapped to ledger transfers.</summary>
    BatchMapped,

    /// <summary>In the store's transaction: the ledger transfers (or reversals) were written.</summary>
    StoreLedgerWritten,

    /// <summary>In the store's transaction: the event keys, channels and block hashes were written (or deleted).</summary>
    StoreEventsWritten,

    /// <summary>In the store's transaction: the checkpoint was written; the commit follows.</summary>
    StoreCheckpointWritten,

    /// <summary>The batch or rollback was committed.</summary>
    Committed,
}

namespace Settlement.Service.Indexer.Storage;

/// <summary>Why an indexer write was refused; every refusal leaves the database unchanged.</summary>
public enum ChainIndexRefusal
{
    /// <summary>The stored checkpoint is not the one the caller continued from (another instance moved it, or a stale read).</summary>
    CheckpointMismatch = 1,

    /// <summary>The stream's stored chain id differs from the batch's.</summary>
    ChainIdMismatch,

    /// <summary>A block of the batch is not above the checkpoint, not at or below the new checkpoint, or not ascending.</summary>
    BlocksOutOfRange,

    /// <summary>An event of the batch is booked already (under its chain id, contract, transaction hash and log index).</summary>
    EventAlreadyBooked,

    /// <summary>An account exists with other fields than the indexer's deterministic definition.</summary>
    AccountConflict,

    /// <summary>The ledger refused a transfer (the detail names it and the result).</summary>
    LedgerRefused,

    /// <summary>A transfer of the batch exists already and was reversed by a rollback: re-booking needs new ids (a new epoch).</summary>
    TransferReversed,

    /// <summary>A rollback target at or above the checkpoint.</summary>
    TargetNotBelowCheckpoint,

    /// <summary>A rollback target that is not a stored block of the stream (number and hash).</summary>
    TargetBlockUnknown,
}

namespace Settlement.Service.Indexer;

/// <summary>What one indexer poll did.</summary>
public enum IndexerPollOutcome
{
    /// <summary>Nothing confirmed beyond the checkpoint.</summary>
    CaughtUp = 1,

    /// <summary>A range of blocks was booked and the checkpoint moved.</summary>
    Indexed,

    /// <summary>The checkpoint block left the chain: what the reorged blocks booked was reversed.</summary>
    RolledBack,

    /// <summary>The node refused the log range as too large; the range was halved (nothing written).</summary>
    RangeReduced,

    /// <summary>The chain changed while the range was read (hashes disagree); nothing written, the next poll retries.</summary>
    ChainMoved,

    /// <summary>The store refused the write because another instance moved the checkpoint; the next poll continues from it.</summary>
    Conflict,
}

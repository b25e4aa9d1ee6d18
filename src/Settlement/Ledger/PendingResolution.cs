namespace Settlement.Service.Ledger;

/// <summary>How a pending transfer was resolved (at most once: the stores enforce a unique pending id).</summary>
internal enum PendingResolution
{
    /// <summary>Posted by a <see cref="TransferFlags.PostPending"/> transfer.</summary>
    Posted = 1,

    /// <summary>Released by a <see cref="TransferFlags.VoidPending"/> transfer.</summary>
    Voided,

    /// <summary>Released because its timeout passed.</summary>
    Expired,
}

namespace Settlement.Service.Ledger;

/// <summary>Flags of a <see cref="Transfer"/>.</summary>
[Flags]
public enum TransferFlags : ushort
{
    /// <summary>A single-phase transfer: posted at once.</summary>
    None = 0,

    /// <summary>Linked with the next transfer of the batch: the chain applies all or nothing.</summary>
    Linked = 1 << 0,

    /// <summary>Phase one: reserves the amount (debits_pending / credits_pending) until posted, voided or timed out.</summary>
    Pending = 1 << 1,

    /// <summary>Phase two: posts the pending transfer named by <see cref="Transfer.PendingId"/> (all of it or less).</summary>
    PostPending = 1 << 2,

    /// <summary>Phase two: releases the pending transfer named by <see cref="Transfer.PendingId"/>.</summary>
    VoidPending = 1 << 3,
}

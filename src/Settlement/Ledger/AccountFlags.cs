namespace Settlement.Service.Ledger;

/// <summary>Flags of an <see cref="Account"/>, fixed at creation.</summary>
[Flags]
public enum AccountFlags : ushort
{
    /// <summary>No limit: the account may go either way (e.g. bank clearing, escrow mirrors).</summary>
    None = 0,

    /// <summary>Linked with the next account of the batch: they are created all or none.</summary>
    Linked = 1 << 0,

    /// <summary>No overdraft: debits (pending + posted) may never exceed posted credits (users, merchants).</summary>
    DebitsMustNotExceedCredits = 1 << 1,

    /// <summary>The mirror limit: credits (pending + posted) may never exceed posted debits.</summary>
    CreditsMustNotExceedDebits = 1 << 2,
}

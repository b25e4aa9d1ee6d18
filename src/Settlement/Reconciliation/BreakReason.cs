namespace Settlement.Service.Reconciliation;

/// <summary>Why a record is not matched.</summary>
public enum BreakReason
{
    /// <summary>On the other side (the bank), nothing matches this record.</summary>
    MissingInBank = 1,

    /// <summary>On the other side (the ledger), nothing matches this record.</summary>
    MissingInLedger = 2,

    /// <summary>On the other side (the chain), nothing matches this record.</summary>
    MissingOnChain = 3,

    /// <summary>Both sides carry the reference, but their amounts differ by more than the tolerance.</summary>
    AmountMismatch = 4,

    /// <summary>Both sides carry the reference and agree in amount, but their times are further apart than the date lag.</summary>
    DateLagExceeded = 5,

    /// <summary>A second (or later) record with the same source and id; the first copy is reconciled, this one is not counted.</summary>
    DuplicateRecord = 6,

    /// <summary>Without a reference, more than one record on the other side could match (or the candidate could match more than one).</summary>
    Ambiguous = 7,

    /// <summary>Both sides carry the reference, but in different assets.</summary>
    AssetMismatch = 8,

    /// <summary>Both sides carry the reference and agree in sum and time, but no rule in the pairing's order pairs them (N:M, or a rule left out).</summary>
    NoMatchingRule = 9,

    /// <summary>The record's source and asset belong to no pairing of the run.</summary>
    NotInAnyPairing = 10,
}

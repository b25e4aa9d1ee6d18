namespace Settlement.Service.Ledger;

/// <summary>
/// The outcome of one account of a <see cref="ILedgerStore.CreateAccountsAsync"/> batch. Expected outcomes are data,
/// never exceptions. Only <see cref="Ok"/> creates the account; every other value leaves the ledger unchanged.
/// </summary>
public enum CreateAccountResult
{
    /// <summary>Created.</summary>
    Ok = 0,

    /// <summary>Not created because another account of its linked chain failed.</summary>
    LinkedEventFailed,

    /// <summary>The batch ended inside a linked chain (its last account has <see cref="AccountFlags.Linked"/>).</summary>
    LinkedEventChainOpen,

    /// <summary>A flag bit this version does not define.</summary>
    ReservedFlag,

    /// <summary>The id is 0.</summary>
    IdMustNotBeZero,

    /// <summary>The id is 2^128 − 1 (reserved).</summary>
    IdMustNotBeIntMax,

    /// <summary>Both limit flags: nothing could ever move.</summary>
    FlagsAreMutuallyExclusive,

    /// <summary>The ledger is 0.</summary>
    LedgerMustNotBeZero,

    /// <summary>The code is 0.</summary>
    CodeMustNotBeZero,

    /// <summary>The same id with different flags already exists.</summary>
    ExistsWithDifferentFlags,

    /// <summary>The same id with different user data already exists.</summary>
    ExistsWithDifferentUserData,

    /// <summary>The same id on another ledger already exists.</summary>
    ExistsWithDifferentLedger,

    /// <summary>The same id with a different code already exists.</summary>
    ExistsWithDifferentCode,

    /// <summary>This exact account already exists: a retry; nothing changed.</summary>
    Exists,
}

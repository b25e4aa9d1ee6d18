namespace Settlement.Service.Ledger;

/// <summary>
/// The outcome of one transfer of a <see cref="ILedgerStore.CreateTransfersAsync"/> batch. Expected outcomes are data,
/// never exceptions. Only <see cref="Ok"/> changes balances; every other value leaves the ledger unchanged.
/// </summary>
public enum CreateTransferResult
{
    /// <summary>Applied.</summary>
    Ok = 0,

    /// <summary>Not applied because another transfer of its linked chain failed.</summary>
    LinkedEventFailed,

    /// <summary>The batch ended inside a linked chain (its last transfer has <see cref="TransferFlags.Linked"/>).</summary>
    LinkedEventChainOpen,

    /// <summary>A flag bit this version does not define.</summary>
    ReservedFlag,

    /// <summary>The id is 0.</summary>
    IdMustNotBeZero,

    /// <summary>The id is 2^128 − 1 (reserved).</summary>
    IdMustNotBeIntMax,

    /// <summary>More than one of Pending, PostPending and VoidPending.</summary>
    FlagsAreMutuallyExclusive,

    /// <summary>A single-phase or pending transfer without a debit account.</summary>
    DebitAccountIdMustNotBeZero,

    /// <summary>A single-phase or pending transfer without a credit account.</summary>
    CreditAccountIdMustNotBeZero,

    /// <summary>Debit and credit account are the same.</summary>
    AccountsMustBeDifferent,

    /// <summary>A pending id on a transfer that neither posts nor voids.</summary>
    PendingIdMustBeZero,

    /// <summary>A post or void without a pending id.</summary>
    PendingIdMustNotBeZero,

    /// <summary>A post or void that names itself as the pending transfer.</summary>
    PendingIdMustBeDifferent,

    /// <summary>A timeout on a transfer that is not pending.</summary>
    TimeoutReservedForPendingTransfer,

    /// <summary>A single-phase or pending transfer of 0.</summary>
    AmountMustNotBeZero,

    /// <summary>The ledger is 0 (allowed only on a post/void).</summary>
    LedgerMustNotBeZero,

    /// <summary>The code is 0 (allowed only on a post/void).</summary>
    CodeMustNotBeZero,

    /// <summary>No account with the debit account id.</summary>
    DebitAccountNotFound,

    /// <summary>No account with the credit account id.</summary>
    CreditAccountNotFound,

    /// <summary>The two accounts are on different ledgers (different assets).</summary>
    LedgerMismatch,

    /// <summary>The transfer's ledger is not its accounts' ledger.</summary>
    TransferLedgerMismatch,

    /// <summary>No transfer with the pending id.</summary>
    PendingTransferNotFound,

    /// <summary>The transfer named by the pending id is not a pending transfer.</summary>
    PendingTransferNotPending,

    /// <summary>The post/void names a debit account other than the pending transfer's.</summary>
    PendingTransferHasDifferentDebitAccountId,

    /// <summary>The post/void names a credit account other than the pending transfer's.</summary>
    PendingTransferHasDifferentCreditAccountId,

    /// <summary>The post/void names a ledger other than the pending transfer's.</summary>
    PendingTransferHasDifferentLedger,

    /// <summary>The post/void names a code other than the pending transfer's.</summary>
    PendingTransferHasDifferentCode,

    /// <summary>A post of more than the pending amount.</summary>
    ExceedsPendingTransferAmount,

    /// <summary>A void of an amount other than 0 or the pending amount.</summary>
    PendingTransferHasDifferentAmount,

    /// <summary>The pending transfer was already posted.</summary>
    PendingTransferAlreadyPosted,

    /// <summary>The pending transfer was already voided.</summary>
    PendingTransferAlreadyVoided,

    /// <summary>The pending transfer's timeout has passed: it can no longer be posted or voided.</summary>
    PendingTransferExpired,

    /// <summary>The same id already exists with different flags.</summary>
    ExistsWithDifferentFlags,

    /// <summary>The same id already exists with another debit account.</summary>
    ExistsWithDifferentDebitAccountId,

    /// <summary>The same id already exists with another credit account.</summary>
    ExistsWithDifferentCreditAccountId,

    /// <summary>The same id already exists with another amount.</summary>
    ExistsWithDifferentAmount,

    /// <summary>The same id already exists with another pending id.</summary>
    ExistsWithDifferentPendingId,

    /// <summary>The same id already exists with other user data.</summary>
    ExistsWithDifferentUserData,

    /// <summary>The same id already exists with another timeout.</summary>
    ExistsWithDifferentTimeout,

    /// <summary>The same id already exists on another ledger.</summary>
    ExistsWithDifferentLedger,

    /// <summary>The same id already exists with another code.</summary>
    ExistsWithDifferentCode,

    /// <summary>This exact transfer already exists: a retry; nothing changed.</summary>
    Exists,

    /// <summary>The debit account's pending or posted debits would pass 2^128 − 1.</summary>
    OverflowsDebits,

    /// <summary>The credit account's pending or posted credits would pass 2^128 − 1.</summary>
    OverflowsCredits,

    /// <summary>The debit account has <see cref="AccountFlags.DebitsMustNotExceedCredits"/> and too few posted credits.</summary>
    ExceedsCredits,

    /// <summary>The credit account has <see cref="AccountFlags.CreditsMustNotExceedDebits"/> and too few posted debits.</summary>
    ExceedsDebits,
}

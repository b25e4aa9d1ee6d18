namespace Settlement.Service.Ledger;

/// <summary>
/// The double-entry ledger over one database (SQLite embedded, PostgreSQL at scale; both behave identically, see
/// <c>docs/ledger.md</c>). Every batch is one database transaction: a crash leaves it wholly applied or not at all, and
/// a retry of the same ids then answers <c>Exists</c>. Writers lock the accounts they touch in ascending id order,
/// then the journal head, so parallel writers (threads or processes) neither deadlock nor lose updates.
/// Expected outcomes are per-item result codes; exceptions mean bugs or infrastructure faults.
/// </summary>
public interface ILedgerStore
{
    /// <summary>Creates or upgrades the schema; idempotent, safe from several processes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates accounts; one result per account, in input order.</summary>
    Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default);

    /// <summary>Applies transfers in input order; one result per transfer, in input order.</summary>
    Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default);

    /// <summary>The accounts with these ids that exist, in ascending id order.</summary>
    Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default);

    /// <summary>Every account, in ascending id order.</summary>
    Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default);

    /// <summary>The transfers with these ids that exist, in ascending id order.</summary>
    Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases every pending transfer whose timeout has passed (by the store's clock) and is neither posted nor
    /// voided; returns their ids. A post or void of an expired transfer answers <c>PendingTransferExpired</c> whether or
    /// not this ran; running it frees the reserved amounts. Call it on a schedule.
    /// </summary>
    Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Recomputes the journal's hash chain from the first row and replays it into balances; reports the first row whose
    /// hash, order or content does not hold, or the first account whose stored balances differ from the replay.
    /// </summary>
    Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default);
}

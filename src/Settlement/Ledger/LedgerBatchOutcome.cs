namespace Settlement.Service.Ledger;

/// <summary>
/// What <see cref="LedgerEngine"/> decided for a batch: one result per input (in input order), the journal entries to
/// append (in order, without seq), the accounts created and the final balances of every account that changed.
/// </summary>
internal sealed class LedgerBatchOutcome<TResult>(TResult[] results)
{
    public TResult[] Results { get; } = results;

    public List<JournalEntry> Entries { get; } = [];

    public List<AccountBalances> CreatedAccounts { get; } = [];

    public Dictionary<UInt128, AccountBalances> ChangedAccounts { get; } = [];
}

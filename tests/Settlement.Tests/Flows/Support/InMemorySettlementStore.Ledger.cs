using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Flows.Support;

/// <summary>
/// The settlement database in memory, as the SQLite store is one object for the ledger, the flows and the consents.
/// The ledger in memory over the stores' own rules (<see cref="LedgerEngine"/> decides every batch from a snapshot of
/// everything, as a store decides from what it locked). <see cref="Refuse"/> makes the ledger answer a result for a
/// transfer instead of applying it (a refusal the flows must stop on); nothing is written then.
/// </summary>
internal sealed partial class InMemorySettlementStore(TimeProvider time) : ILedgerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, AccountBalances> _accounts = [];
    private readonly List<JournalEntry> _journal = [];

    /// <summary>Answers this result (not Ok) for a transfer instead of applying it; null applies it.</summary>
    public Func<Transfer, CreateTransferResult?> Refuse { get; set; } = _ => null;

    /// <summary>Every transfer batch asked for, in order (applied or not).</summary>
    public List<Transfer> Asked { get; } = [];

    /// <summary>Journal rows written (accounts, transfers, expiries): unchanged means the ledger was not touched.</summary>
    public int Entries
    {
        get
        {
            lock (_gate)
            {
                return _journal.Count;
            }
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var outcome = LedgerEngine.CreateAccounts(accounts, Snapshot(), time.GetUtcNow());
            foreach (var created in outcome.CreatedAccounts)
            {
                _accounts[created.Account.Id] = created;
            }

            _journal.AddRange(outcome.Entries);
            return Task.FromResult<IReadOnlyList<CreateAccountResult>>(outcome.Results);
        }
    }

    public Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Asked.AddRange(transfers);
            if (transfers.Count == 1 && Refuse(transfers[0]) is { } refused)
            {
                return Task.FromResult<IReadOnlyList<CreateTransferResult>>([refused]);
            }

            var outcome = LedgerEngine.CreateTransfers(transfers, Snapshot(), time.GetUtcNow());
            foreach (var (id, changed) in outcome.ChangedAccounts)
            {
                _accounts[id] = changed;
            }

            _journal.AddRange(outcome.Entries);
            return Task.FromResult<IReadOnlyList<CreateTransferResult>>(outcome.Results);
        }
    }

    public Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AccountBalances>>([.. ids.Distinct().Order().Where(_accounts.ContainsKey).Select(id => _accounts[id])]);
        }
    }

    public Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AccountBalances>>([.. _accounts.Values.OrderBy(a => a.Account.Id)]);
        }
    }

    public Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var wanted = ids.ToHashSet();
            return Task.FromResult<IReadOnlyList<StoredTransfer>>([.. _journal
                .Where(e => e.Kind == JournalKind.TransferCreated && wanted.Contains(e.Id))
                .Select(e => e.ToStoredTransfer())
                .OrderBy(t => t.Transfer.Id)]);
        }
    }

    /// <summary>Releases the pending transfers whose timeout has passed by the store's clock, as the stores do.</summary>
    public Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var snapshot = Snapshot();
            var outcome = LedgerEngine.Expire([.. snapshot.Transfers.Values.OrderBy(t => t.Transfer.Id)], snapshot, time.GetUtcNow());
            foreach (var (id, changed) in outcome.ChangedAccounts)
            {
                _accounts[id] = changed;
            }

            _journal.AddRange(outcome.Entries);
            return Task.FromResult<IReadOnlyList<UInt128>>(outcome.Results);
        }
    }

    /// <summary>
    /// Chains the rows as a store writes them (seq from 1, <see cref="JournalHash"/>) and runs the stores' verifier over
    /// them and the accounts: nothing can be rewritten behind the engine's back in memory, so this checks that the
    /// engine's rows replay to its balances. Tampering is tested on the verifier itself and in the SQLite and PostgreSQL runs.
    /// </summary>
    public Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var verifier = new JournalVerifier();
            var hash = JournalHash.Genesis;
            for (var i = 0; i < _journal.Count; i++)
            {
                var entry = _journal[i] with { Seq = i + 1 };
                hash = JournalHash.Compute(hash, entry);
                verifier.Add(entry.Seq, entry, hash);
            }

            return Task.FromResult(verifier.Finish(_accounts.Values, _journal.Count, hash));
        }
    }

    /// <summary>The net position (credits − debits posted) and pending amounts of an account; zeros when it does not exist.</summary>
    public (long Net, long DebitsPending, long CreditsPending) Balance(Account account)
    {
        lock (_gate)
        {
            if (!_accounts.TryGetValue(account.Id, out var b))
            {
                return (0, 0, 0);
            }

            return ((long)b.CreditsPosted - (long)b.DebitsPosted, (long)b.DebitsPending, (long)b.CreditsPending);
        }
    }

    /// <summary>The transfer with this id as applied, or null.</summary>
    public Transfer? Transfer(UInt128 id)
    {
        lock (_gate)
        {
            return _journal.Where(e => e.Kind == JournalKind.TransferCreated && e.Id == id).Select(e => e.ToStoredTransfer().Transfer).FirstOrDefault();
        }
    }

    private LedgerSnapshot Snapshot()
    {
        var snapshot = new LedgerSnapshot();
        foreach (var (id, account) in _accounts)
        {
            snapshot.Accounts[id] = account;
        }

        foreach (var e in _journal)
        {
            if (e.Kind == JournalKind.TransferCreated)
            {
                snapshot.Transfers[e.Id] = e.ToStoredTransfer();
            }

            if (e.PendingId != 0)
            {
                snapshot.Resolutions[e.PendingId] = e.Kind == JournalKind.PendingExpired ? PendingResolution.Expired
                    : ((TransferFlags)e.Flags).HasFlag(TransferFlags.PostPending) ? PendingResolution.Posted
                    : PendingResolution.Voided;
            }
        }

        return snapshot;
    }
}

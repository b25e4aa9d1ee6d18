namespace Settlement.Service.Ledger;

/// <summary>
/// The ledger's rules, shared by every store: validates and applies a batch over a <see cref="LedgerSnapshot"/> the
/// store read under its locks, and returns what to write. Pure: no I/O, no clock (the store passes the time).
/// <para>
/// Events apply in input order; a later event sees the earlier ones' effects (a transfer may post a pending transfer
/// created earlier in the same batch, a repeated id in one batch is <c>Exists</c>). A linked chain (events flagged
/// <c>Linked</c> up to and including the first event without the flag) applies all or nothing: if one fails, it keeps
/// its own result and every other event of the chain gets <c>LinkedEventFailed</c>. A refused event changes nothing.
/// </para>
/// </summary>
internal static class LedgerEngine
{
    private const AccountFlags KnownAccountFlags =
        AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits;

    private const TransferFlags KnownTransferFlags =
        TransferFlags.Linked | TransferFlags.Pending | TransferFlags.PostPending | TransferFlags.VoidPending;

    /// <summary>Decides a batch of new accounts.</summary>
    public static LedgerBatchOutcome<CreateAccountResult> CreateAccounts(IReadOnlyList<Account> accounts, LedgerSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(snapshot);
        var outcome = new LedgerBatchOutcome<CreateAccountResult>(new CreateAccountResult[accounts.Count]);
        var work = new Working(snapshot, outcome.Entries);
        var created = new Dictionary<UInt128, AccountBalances>();
        RunChains(
            accounts.Count,
            i => accounts[i].Flags.HasFlag(AccountFlags.Linked),
            i =>
            {
                var result = ValidateAccount(accounts[i], work);
                if (result == CreateAccountResult.Ok)
                {
                    var balances = AccountBalances.Created(accounts[i], now);
                    work.AddAccount(balances);
                    work.Append(JournalEntry.ForAccount(accounts[i], now.UtcTicks));
                }

                return result;
            },
            work,
            outcome.Results,
            CreateAccountResult.Ok,
            CreateAccountResult.LinkedEventFailed,
            CreateAccountResult.LinkedEventChainOpen);
        foreach (var entry in outcome.Entries)
        {
            created[entry.Id] = work.GetAccount(entry.Id)!;
        }

        outcome.CreatedAccounts.AddRange(created.Values);
        return outcome;
    }

    /// <summary>Decides a batch of transfers at time <paramref name="now"/>.</summary>
    public static LedgerBatchOutcome<CreateTransferResult> CreateTransfers(IReadOnlyList<Transfer> transfers, LedgerSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        ArgumentNullException.ThrowIfNull(snapshot);
        var outcome = new LedgerBatchOutcome<CreateTransferResult>(new CreateTransferResult[transfers.Count]);
        var work = new Working(snapshot, outcome.Entries);
        RunChains(
            transfers.Count,
            i => transfers[i].Flags.HasFlag(TransferFlags.Linked),
            i => ApplyTransfer(transfers[i], work, now),
            work,
            outcome.Results,
            CreateTransferResult.Ok,
            CreateTransferResult.LinkedEventFailed,
            CreateTransferResult.LinkedEventChainOpen);
        work.CopyChangedAccounts(outcome.ChangedAccounts);
        return outcome;
    }

    /// <summary>
    /// Releases pending transfers whose timeout has passed at <paramref name="now"/> and that are not resolved in the
    /// snapshot. <paramref name="due"/> are the candidates the store found; their accounts must be in the snapshot.
    /// </summary>
    public static LedgerBatchOutcome<UInt128> Expire(IReadOnlyList<StoredTransfer> due, LedgerSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(snapshot);
        var expired = new List<UInt128>();
        var outcome = new LedgerBatchOutcome<UInt128>([]);
        var work = new Working(snapshot, outcome.Entries);
        foreach (var pending in due)
        {
            var t = pending.Transfer;
            if (pending.ExpiresAt is not { } at || at > now || work.GetResolution(t.Id) is not null)
            {
                continue;
            }

            var debit = work.GetAccount(t.DebitAccountId) ?? throw new InvalidOperationException($"Pending transfer {t.Id}: debit account {t.DebitAccountId} was not loaded.");
            var credit = work.GetAccount(t.CreditAccountId) ?? throw new InvalidOperationException($"Pending transfer {t.Id}: credit account {t.CreditAccountId} was not loaded.");
            work.SetAccount(debit with { DebitsPending = debit.DebitsPending - t.Amount });
            work.SetAccount(credit with { CreditsPending = credit.CreditsPending - t.Amount });
            work.Resolve(t.Id, PendingResolution.Expired);
            work.Append(JournalEntry.ForExpiry(t, now.UtcTicks));
            expired.Add(t.Id);
        }

        var result = new LedgerBatchOutcome<UInt128>([.. expired]);
        result.Entries.AddRange(outcome.Entries);
        work.CopyChangedAccounts(result.ChangedAccounts);
        return result;
    }

    /// <summary>The checks of one new account that need no ledger state (exposed for unit tests).</summary>
    internal static CreateAccountResult ValidateAccountFields(Account a)
    {
        if ((a.Flags & ~KnownAccountFlags) != 0)
        {
            return CreateAccountResult.ReservedFlag;
        }

        if (a.Id == 0)
        {
            return CreateAccountResult.IdMustNotBeZero;
        }

        if (a.Id == UInt128.MaxValue)
        {
            return CreateAccountResult.IdMustNotBeIntMax;
        }

        if (a.Flags.HasFlag(AccountFlags.DebitsMustNotExceedCredits) && a.Flags.HasFlag(AccountFlags.CreditsMustNotExceedDebits))
        {
            return CreateAccountResult.FlagsAreMutuallyExclusive;
        }

        if (a.Ledger == 0)
        {
            return CreateAccountResult.LedgerMustNotBeZero;
        }

        return a.Code == 0 ? CreateAccountResult.CodeMustNotBeZero : CreateAccountResult.Ok;
    }

    private static CreateAccountResult ValidateAccount(Account a, Working work)
    {
        var fields = ValidateAccountFields(a);
        if (fields != CreateAccountResult.Ok)
        {
            return fields;
        }

        if (work.GetAccount(a.Id) is not { } existing)
        {
            return CreateAccountResult.Ok;
        }

        // Linked is how the account was batched, not what it is: a retry may batch it differently.
        var e = existing.Account;
        if ((e.Flags & ~AccountFlags.Linked) != (a.Flags & ~AccountFlags.Linked))
        {
            return CreateAccountResult.ExistsWithDifferentFlags;
        }

        if (e.UserData != a.UserData)
        {
            return CreateAccountResult.ExistsWithDifferentUserData;
        }

        if (e.Ledger != a.Ledger)
        {
            return CreateAccountResult.ExistsWithDifferentLedger;
        }

        return e.Code != a.Code ? CreateAccountResult.ExistsWithDifferentCode : CreateAccountResult.Exists;
    }

    /// <summary>The checks of one transfer that need no ledger state (exposed for unit tests).</summary>
    internal static CreateTransferResult ValidateTransferFields(Transfer t)
    {
        if ((t.Flags & ~KnownTransferFlags) != 0)
        {
            return CreateTransferResult.ReservedFlag;
        }

        if (t.Id == 0)
        {
            return CreateTransferResult.IdMustNotBeZero;
        }

        if (t.Id == UInt128.MaxValue)
        {
            return CreateTransferResult.IdMustNotBeIntMax;
        }

        var phases = (t.Flags.HasFlag(TransferFlags.Pending) ? 1 : 0) + (t.Flags.HasFlag(TransferFlags.PostPending) ? 1 : 0)
            + (t.Flags.HasFlag(TransferFlags.VoidPending) ? 1 : 0);
        if (phases > 1)
        {
            return CreateTransferResult.FlagsAreMutuallyExclusive;
        }

        if (IsPostOrVoid(t))
        {
            if (t.PendingId == 0)
            {
                return CreateTransferResult.PendingIdMustNotBeZero;
            }

            if (t.PendingId == t.Id)
            {
                return CreateTransferResult.PendingIdMustBeDifferent;
            }

            return t.Timeout != 0 ? CreateTransferResult.TimeoutReservedForPendingTransfer : CreateTransferResult.Ok;
        }

        if (t.DebitAccountId == 0)
        {
            return CreateTransferResult.DebitAccountIdMustNotBeZero;
        }

        if (t.CreditAccountId == 0)
        {
            return CreateTransferResult.CreditAccountIdMustNotBeZero;
        }

        if (t.DebitAccountId == t.CreditAccountId)
        {
            return CreateTransferResult.AccountsMustBeDifferent;
        }

        if (t.PendingId != 0)
        {
            return CreateTransferResult.PendingIdMustBeZero;
        }

        if (t.Timeout != 0 && !t.Flags.HasFlag(TransferFlags.Pending))
        {
            return CreateTransferResult.TimeoutReservedForPendingTransfer;
        }

        if (t.Amount == 0)
        {
            return CreateTransferResult.AmountMustNotBeZero;
        }

        if (t.Ledger == 0)
        {
            return CreateTransferResult.LedgerMustNotBeZero;
        }

        return t.Code == 0 ? CreateTransferResult.CodeMustNotBeZero : CreateTransferResult.Ok;
    }

    /// <summary>
    /// How a repeat of <paramref name="t"/> compares with the stored <paramref name="stored"/>. On a post/void, a zero
    /// account, amount, ledger or code means "the pending transfer's", so it matches what was stored for it.
    /// </summary>
    internal static CreateTransferResult CompareWithExisting(Transfer t, Transfer stored)
    {
        var wildcard = IsPostOrVoid(t);
        bool Same(UInt128 given, UInt128 kept) => given == kept || (wildcard && given == 0);
        if ((t.Flags & ~TransferFlags.Linked) != (stored.Flags & ~TransferFlags.Linked))
        {
            return CreateTransferResult.ExistsWithDifferentFlags;
        }

        if (!Same(t.DebitAccountId, stored.DebitAccountId))
        {
            return CreateTransferResult.ExistsWithDifferentDebitAccountId;
        }

        if (!Same(t.CreditAccountId, stored.CreditAccountId))
        {
            return CreateTransferResult.ExistsWithDifferentCreditAccountId;
        }

        if (!Same(t.Amount, stored.Amount))
        {
            return CreateTransferResult.ExistsWithDifferentAmount;
        }

        if (t.PendingId != stored.PendingId)
        {
            return CreateTransferResult.ExistsWithDifferentPendingId;
        }

        if (t.Timeout != stored.Timeout)
        {
            return CreateTransferResult.ExistsWithDifferentTimeout;
        }

        if (!Same(t.Ledger, stored.Ledger))
        {
            return CreateTransferResult.ExistsWithDifferentLedger;
        }

        if (!Same(t.Code, stored.Code))
        {
            return CreateTransferResult.ExistsWithDifferentCode;
        }

        return t.UserData != stored.UserData ? CreateTransferResult.ExistsWithDifferentUserData : CreateTransferResult.Exists;
    }

    /// <summary>
    /// The balance checks of a new single-phase or pending transfer between two accounts of its ledger: overflow
    /// first, then the accounts' limits (exposed for unit tests).
    /// </summary>
    internal static CreateTransferResult CheckBalances(AccountBalances debit, AccountBalances credit, UInt128 amount, bool pending)
    {
        var debitsAfter = pending ? Add(debit.DebitsPending, amount) : Add(debit.DebitsPosted, amount);
        var creditsAfter = pending ? Add(credit.CreditsPending, amount) : Add(credit.CreditsPosted, amount);
        var debitsTotal = Add(Add(debit.DebitsPending, debit.DebitsPosted), amount);
        var creditsTotal = Add(Add(credit.CreditsPending, credit.CreditsPosted), amount);
        if (debitsAfter is null || debitsTotal is null)
        {
            return CreateTransferResult.OverflowsDebits;
        }

        if (creditsAfter is null || creditsTotal is null)
        {
            return CreateTransferResult.OverflowsCredits;
        }

        if (debit.Account.Flags.HasFlag(AccountFlags.DebitsMustNotExceedCredits) && debitsTotal > debit.CreditsPosted)
        {
            return CreateTransferResult.ExceedsCredits;
        }

        return credit.Account.Flags.HasFlag(AccountFlags.CreditsMustNotExceedDebits) && creditsTotal > credit.DebitsPosted
            ? CreateTransferResult.ExceedsDebits
            : CreateTransferResult.Ok;
    }

    private static CreateTransferResult ApplyTransfer(Transfer t, Working work, DateTimeOffset now)
    {
        var fields = ValidateTransferFields(t);
        if (fields != CreateTransferResult.Ok)
        {
            return fields;
        }

        if (work.GetTransfer(t.Id) is { } existing)
        {
            return CompareWithExisting(t, existing.Transfer);
        }

        return IsPostOrVoid(t) ? ApplyPostOrVoid(t, work, now) : ApplyNew(t, work, now);
    }

    private static CreateTransferResult ApplyNew(Transfer t, Working work, DateTimeOffset now)
    {
        if (work.GetAccount(t.DebitAccountId) is not { } debit)
        {
            return CreateTransferResult.DebitAccountNotFound;
        }

        if (work.GetAccount(t.CreditAccountId) is not { } credit)
        {
            return CreateTransferResult.CreditAccountNotFound;
        }

        if (debit.Account.Ledger != credit.Account.Ledger)
        {
            return CreateTransferResult.LedgerMismatch;
        }

        if (t.Ledger != debit.Account.Ledger)
        {
            return CreateTransferResult.TransferLedgerMismatch;
        }

        var pending = t.Flags.HasFlag(TransferFlags.Pending);
        var balances = CheckBalances(debit, credit, t.Amount, pending);
        if (balances != CreateTransferResult.Ok)
        {
            return balances;
        }

        work.SetAccount(pending
            ? debit with { DebitsPending = debit.DebitsPending + t.Amount }
            : debit with { DebitsPosted = debit.DebitsPosted + t.Amount });
        work.SetAccount(pending
            ? credit with { CreditsPending = credit.CreditsPending + t.Amount }
            : credit with { CreditsPosted = credit.CreditsPosted + t.Amount });
        work.AddTransfer(new StoredTransfer(t, now));
        work.Append(JournalEntry.ForTransfer(t, now.UtcTicks));
        return CreateTransferResult.Ok;
    }

    private static CreateTransferResult ApplyPostOrVoid(Transfer t, Working work, DateTimeOffset now)
    {
        if (work.GetTransfer(t.PendingId) is not { } stored)
        {
            return CreateTransferResult.PendingTransferNotFound;
        }

        var p = stored.Transfer;
        if (!p.Flags.HasFlag(TransferFlags.Pending))
        {
            return CreateTransferResult.PendingTransferNotPending;
        }

        if (t.DebitAccountId != 0 && t.DebitAccountId != p.DebitAccountId)
        {
            return CreateTransferResult.PendingTransferHasDifferentDebitAccountId;
        }

        if (t.CreditAccountId != 0 && t.CreditAccountId != p.CreditAccountId)
        {
            return CreateTransferResult.PendingTransferHasDifferentCreditAccountId;
        }

        if (t.Ledger != 0 && t.Ledger != p.Ledger)
        {
            return CreateTransferResult.PendingTransferHasDifferentLedger;
        }

        if (t.Code != 0 && t.Code != p.Code)
        {
            return CreateTransferResult.PendingTransferHasDifferentCode;
        }

        var post = t.Flags.HasFlag(TransferFlags.PostPending);
        if (post && t.Amount > p.Amount)
        {
            return CreateTransferResult.ExceedsPendingTransferAmount;
        }

        if (!post && t.Amount != 0 && t.Amount != p.Amount)
        {
            return CreateTransferResult.PendingTransferHasDifferentAmount;
        }

        switch (work.GetResolution(p.Id))
        {
            case PendingResolution.Posted:
                return CreateTransferResult.PendingTransferAlreadyPosted;
            case PendingResolution.Voided:
                return CreateTransferResult.PendingTransferAlreadyVoided;
            case PendingResolution.Expired:
                return CreateTransferResult.PendingTransferExpired;
        }

        if (stored.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return CreateTransferResult.PendingTransferExpired;
        }

        var debit = work.GetAccount(p.DebitAccountId) ?? throw new InvalidOperationException($"Pending transfer {p.Id}: debit account {p.DebitAccountId} was not loaded.");
        var credit = work.GetAccount(p.CreditAccountId) ?? throw new InvalidOperationException($"Pending transfer {p.Id}: credit account {p.CreditAccountId} was not loaded.");
        var amount = post ? (t.Amount == 0 ? p.Amount : t.Amount) : p.Amount;
        if (post && Add(debit.DebitsPosted, amount) is null)
        {
            return CreateTransferResult.OverflowsDebits;
        }

        if (post && Add(credit.CreditsPosted, amount) is null)
        {
            return CreateTransferResult.OverflowsCredits;
        }

        work.SetAccount(debit with
        {
            DebitsPending = debit.DebitsPending - p.Amount,
            DebitsPosted = post ? debit.DebitsPosted + amount : debit.DebitsPosted,
        });
        work.SetAccount(credit with
        {
            CreditsPending = credit.CreditsPending - p.Amount,
            CreditsPosted = post ? credit.CreditsPosted + amount : credit.CreditsPosted,
        });
        var applied = t with { DebitAccountId = p.DebitAccountId, CreditAccountId = p.CreditAccountId, Amount = amount, Ledger = p.Ledger, Code = p.Code };
        work.AddTransfer(new StoredTransfer(applied, now));
        work.Resolve(p.Id, post ? PendingResolution.Posted : PendingResolution.Voided);
        work.Append(JournalEntry.ForTransfer(applied, now.UtcTicks));
        return CreateTransferResult.Ok;
    }

    private static bool IsPostOrVoid(Transfer t) => (t.Flags & (TransferFlags.PostPending | TransferFlags.VoidPending)) != 0;

    private static UInt128? Add(UInt128? a, UInt128 b) => a is { } x && x <= UInt128.MaxValue - b ? x + b : null;

    /// <summary>Runs events chain by chain: a chain applies all or nothing.</summary>
    private static void RunChains<TResult>(
        int count, Func<int, bool> linked, Func<int, TResult> apply, Working work, TResult[] results, TResult ok, TResult linkedFailed, TResult chainOpen)
        where TResult : struct, Enum
    {
        var i = 0;
        while (i < count)
        {
            var end = i;
            while (end < count && linked(end))
            {
                end++;
            }

            if (end == count)
            {
                // The batch ends inside a chain: nothing of it applies.
                for (var k = i; k < count; k++)
                {
                    results[k] = linkedFailed;
                }

                results[count - 1] = chainOpen;
                return;
            }

            if (end == i)
            {
                results[i] = apply(i);
                i++;
                continue;
            }

            work.BeginChain();
            var failed = -1;
            for (var k = i; k <= end; k++)
            {
                var result = apply(k);
                if (!EqualityComparer<TResult>.Default.Equals(result, ok))
                {
                    results[k] = result;
                    failed = k;
                    break;
                }

                results[k] = ok;
            }

            if (failed < 0)
            {
                work.CommitChain();
            }
            else
            {
                work.RollbackChain();
                for (var k = i; k <= end; k++)
                {
                    if (k != failed)
                    {
                        results[k] = linkedFailed;
                    }
                }
            }

            i = end + 1;
        }
    }

    /// <summary>The snapshot plus this batch's effects so far, with an undo log for the open chain.</summary>
    private sealed class Working(LedgerSnapshot snapshot, List<JournalEntry> entries)
    {
        private readonly Dictionary<UInt128, AccountBalances> _accounts = [];
        private readonly Dictionary<UInt128, StoredTransfer> _transfers = [];
        private readonly Dictionary<UInt128, PendingResolution> _resolutions = [];
        private readonly Dictionary<UInt128, AccountBalances?> _undoAccounts = [];
        private readonly List<UInt128> _undoTransfers = [];
        private readonly List<UInt128> _undoResolutions = [];
        private int _chainEntries = -1;

        public AccountBalances? GetAccount(UInt128 id) =>
            _accounts.TryGetValue(id, out var a) ? a : snapshot.Accounts.GetValueOrDefault(id);

        public StoredTransfer? GetTransfer(UInt128 id) =>
            _transfers.TryGetValue(id, out var t) ? t : snapshot.Transfers.GetValueOrDefault(id);

        public PendingResolution? GetResolution(UInt128 pendingId) =>
            _resolutions.TryGetValue(pendingId, out var r) ? r
            : snapshot.Resolutions.TryGetValue(pendingId, out var s) ? s : null;

        public void AddAccount(AccountBalances account) => SetAccount(account);

        public void SetAccount(AccountBalances account)
        {
            var id = account.Account.Id;
            if (_chainEntries >= 0 && !_undoAccounts.ContainsKey(id))
            {
                _undoAccounts[id] = _accounts.TryGetValue(id, out var before) ? before : null;
            }

            _accounts[id] = account;
        }

        public void AddTransfer(StoredTransfer transfer)
        {
            _transfers[transfer.Transfer.Id] = transfer;
            if (_chainEntries >= 0)
            {
                _undoTransfers.Add(transfer.Transfer.Id);
            }
        }

        public void Resolve(UInt128 pendingId, PendingResolution resolution)
        {
            _resolutions[pendingId] = resolution;
            if (_chainEntries >= 0)
            {
                _undoResolutions.Add(pendingId);
            }
        }

        public void Append(JournalEntry entry) => entries.Add(entry);

        public void BeginChain()
        {
            _chainEntries = entries.Count;
            _undoAccounts.Clear();
            _undoTransfers.Clear();
            _undoResolutions.Clear();
        }

        public void CommitChain() => _chainEntries = -1;

        public void RollbackChain()
        {
            foreach (var (id, before) in _undoAccounts)
            {
                if (before is null)
                {
                    _accounts.Remove(id);
                }
                else
                {
                    _accounts[id] = before;
                }
            }

            foreach (var id in _undoTransfers)
            {
                _transfers.Remove(id);
            }

            foreach (var id in _undoResolutions)
            {
                _resolutions.Remove(id);
            }

            entries.RemoveRange(_chainEntries, entries.Count - _chainEntries);
            _chainEntries = -1;
        }

        public void CopyChangedAccounts(Dictionary<UInt128, AccountBalances> destination)
        {
            foreach (var (id, account) in _accounts)
            {
                destination[id] = account;
            }
        }
    }
}

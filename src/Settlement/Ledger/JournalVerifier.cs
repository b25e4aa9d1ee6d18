namespace Settlement.Service.Ledger;

/// <summary>
/// Checks a journal fed row by row in seq order: seq 1, 2, 3 … without gaps, each stored hash equal to the recomputed
/// one, and each row consistent when replayed (accounts exist, pending transfers exist and are resolved once, no
/// account overflows or passes the limit its flags set). Then compares the replayed balances with the stored accounts and the stored head.
/// </summary>
internal sealed class JournalVerifier
{
    private readonly Dictionary<UInt128, AccountBalances> _accounts = [];
    private readonly Dictionary<UInt128, Transfer> _pending = [];
    private readonly HashSet<UInt128> _resolved = [];
    private byte[] _hash = JournalHash.Genesis;
    private long _seq;
    private JournalVerification? _broken;

    public bool IsBroken => _broken is not null;

    /// <summary>Adds the next row; <paramref name="entry"/> null means its columns did not decode. False once broken.</summary>
    public bool Add(long seq, JournalEntry? entry, object? storedHash)
    {
        if (_broken is not null)
        {
            return false;
        }

        if (seq != _seq + 1)
        {
            return Break(seq, $"expected row {_seq + 1}, found row {seq}: a row was deleted or inserted.");
        }

        if (entry is not { } e)
        {
            return Break(seq, "its columns do not decode.");
        }

        var expected = JournalHash.Compute(_hash, e);
        if (storedHash is not byte[] stored || !stored.AsSpan().SequenceEqual(expected))
        {
            return Break(seq, "its hash does not match its content and the previous row's hash: the row was altered.");
        }

        var problem = Replay(e);
        if (problem is not null)
        {
            return Break(seq, problem);
        }

        _hash = expected;
        _seq = seq;
        return true;
    }

    /// <summary>Compares the replay with the stored accounts and head (null head = the store keeps none).</summary>
    public JournalVerification Finish(IEnumerable<AccountBalances> storedAccounts, long? headSeq, object? headHash)
    {
        ArgumentNullException.ThrowIfNull(storedAccounts);
        if (_broken is not null)
        {
            return _broken;
        }

        var head = Convert.ToHexStringLower(_hash);
        if (headSeq is { } hs && (hs != _seq || headHash is not byte[] hh || !hh.AsSpan().SequenceEqual(_hash)))
        {
            return new JournalVerification(false, _seq, head, _seq + 1,
                null, $"the journal head says row {hs} but the chain ends at row {_seq}: rows after it were deleted or the head was altered.");
        }

        var seen = new HashSet<UInt128>();
        foreach (var stored in storedAccounts)
        {
            var id = stored.Account.Id;
            seen.Add(id);
            if (!_accounts.TryGetValue(id, out var replayed))
            {
                return new JournalVerification(false, _seq, head, null, id, $"account {id} is not in the journal.");
            }

            if (!SameBalances(replayed, stored))
            {
                return new JournalVerification(false, _seq, head, null, id, $"account {id}'s stored balances or fields differ from the journal's replay.");
            }
        }

        foreach (var id in _accounts.Keys)
        {
            if (!seen.Contains(id))
            {
                return new JournalVerification(false, _seq, head, null, id, $"account {id} is in the journal but not in the accounts table.");
            }
        }

        return new JournalVerification(true, _seq, head, null, null, null);
    }

    private static bool SameBalances(AccountBalances a, AccountBalances b) =>
        a.Account.Id == b.Account.Id && a.Account.Ledger == b.Account.Ledger && a.Account.Code == b.Account.Code
        && (a.Account.Flags & ~AccountFlags.Linked) == (b.Account.Flags & ~AccountFlags.Linked) && a.Account.UserData == b.Account.UserData
        && a.DebitsPending == b.DebitsPending && a.DebitsPosted == b.DebitsPosted
        && a.CreditsPending == b.CreditsPending && a.CreditsPosted == b.CreditsPosted;

    private string? Replay(JournalEntry e)
    {
        switch (e.Kind)
        {
            case JournalKind.AccountCreated:
                return _accounts.TryAdd(e.Id, AccountBalances.Created(e.ToAccount() with { Flags = (AccountFlags)e.Flags & ~AccountFlags.Linked }, e.CreatedAt))
                    ? null
                    : $"account {e.Id} is created twice.";
            case JournalKind.TransferCreated:
                return ReplayTransfer(e.ToStoredTransfer().Transfer);
            case JournalKind.PendingExpired:
                return ReplayRelease(e.PendingId, post: null);
            default:
                return $"unknown kind {(byte)e.Kind}.";
        }
    }

    private string? ReplayTransfer(Transfer t)
    {
        var flags = t.Flags;
        if (flags.HasFlag(TransferFlags.PostPending) || flags.HasFlag(TransferFlags.VoidPending))
        {
            return ReplayRelease(t.PendingId, flags.HasFlag(TransferFlags.PostPending) ? t.Amount : null);
        }

        if (!_accounts.TryGetValue(t.DebitAccountId, out var debit) || !_accounts.TryGetValue(t.CreditAccountId, out var credit))
        {
            return $"transfer {t.Id} names an account that does not exist yet.";
        }

        if (debit.Account.Ledger != t.Ledger || credit.Account.Ledger != t.Ledger)
        {
            return $"transfer {t.Id} crosses ledgers.";
        }

        // The engine refuses a transfer that overflows an account's totals or takes it past the limit its flags set
        // (LedgerEngine.CheckBalances); a row that does either was written around it. Only new single-phase and
        // pending transfers raise the totals: a post, void or expiry moves at most the reserved amount from pending to
        // posted, so checking here is enough.
        switch (LedgerEngine.CheckBalances(debit, credit, t.Amount, flags.HasFlag(TransferFlags.Pending)))
        {
            case CreateTransferResult.OverflowsDebits:
                return $"transfer {t.Id} overflows account {debit.Account.Id}'s debits.";
            case CreateTransferResult.OverflowsCredits:
                return $"transfer {t.Id} overflows account {credit.Account.Id}'s credits.";
            case CreateTransferResult.ExceedsCredits:
                return $"transfer {t.Id} takes account {debit.Account.Id}'s debits past its posted credits.";
            case CreateTransferResult.ExceedsDebits:
                return $"transfer {t.Id} takes account {credit.Account.Id}'s credits past its posted debits.";
        }

        if (flags.HasFlag(TransferFlags.Pending))
        {
            _pending[t.Id] = t;
            _accounts[debit.Account.Id] = debit with { DebitsPending = debit.DebitsPending + t.Amount };
            _accounts[credit.Account.Id] = credit with { CreditsPending = credit.CreditsPending + t.Amount };
        }
        else
        {
            _accounts[debit.Account.Id] = debit with { DebitsPosted = debit.DebitsPosted + t.Amount };
            _accounts[credit.Account.Id] = credit with { CreditsPosted = credit.CreditsPosted + t.Amount };
        }

        return null;
    }

    /// <summary>Releases a pending transfer (post: posts <paramref name="post"/> of it; null: void or expiry).</summary>
    private string? ReplayRelease(UInt128 pendingId, UInt128? post)
    {
        if (!_pending.TryGetValue(pendingId, out var p))
        {
            return $"pending transfer {pendingId} is resolved but was never created.";
        }

        if (!_resolved.Add(pendingId))
        {
            return $"pending transfer {pendingId} is resolved twice.";
        }

        var debit = _accounts[p.DebitAccountId];
        var credit = _accounts[p.CreditAccountId];
        if (post > p.Amount)
        {
            return $"pending transfer {pendingId} is posted for more than it reserved.";
        }

        _accounts[debit.Account.Id] = debit with
        {
            DebitsPending = debit.DebitsPending - p.Amount,
            DebitsPosted = debit.DebitsPosted + (post ?? 0),
        };
        credit = _accounts[p.CreditAccountId];
        _accounts[credit.Account.Id] = credit with
        {
            CreditsPending = credit.CreditsPending - p.Amount,
            CreditsPosted = credit.CreditsPosted + (post ?? 0),
        };
        return null;
    }

    private bool Break(long seq, string problem)
    {
        _broken = new JournalVerification(false, _seq, Convert.ToHexStringLower(_hash), seq, null, $"row {seq}: {problem}");
        return false;
    }
}

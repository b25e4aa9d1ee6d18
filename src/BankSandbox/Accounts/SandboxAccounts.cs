namespace Settlement.BankSandbox.Accounts;

/// <summary>The sandbox's accounts. Thread-safe; balances change only through <see cref="Set"/> and completed payments.</summary>
public sealed class SandboxAccounts
{
    private readonly object _gate;
    private readonly Dictionary<string, SandboxAccount> _accounts = new(StringComparer.Ordinal);

    internal SandboxAccounts(object gate) => _gate = gate;

    /// <summary>Adds an account, or replaces the one with the same identification (balance included).</summary>
    /// <exception cref="ArgumentException">The identification is not 14 digits, the balance is negative or the currency is not GBP.</exception>
    public void Set(SandboxAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!SandboxAccount.IsValidIdentification(account.Identification))
        {
            throw new ArgumentException("Identification must be a 14-digit sort code and account number.", nameof(account));
        }

        if (account.BalanceMinor < 0)
        {
            throw new ArgumentException("BalanceMinor must not be negative.", nameof(account));
        }

        if (account.Currency != "GBP")
        {
            throw new ArgumentException("The sandbox holds GBP accounts only.", nameof(account));
        }

        lock (_gate)
        {
            _accounts[account.Identification] = account;
        }
    }

    /// <summary>Same as <see cref="Set"/>.</summary>
    public void Add(SandboxAccount account) => Set(account);

    /// <summary>The account, if it exists.</summary>
    public bool TryGet(string identification, out SandboxAccount? account)
    {
        lock (_gate)
        {
            return _accounts.TryGetValue(identification, out account);
        }
    }

    /// <summary>The balance in pence.</summary>
    /// <exception cref="KeyNotFoundException">No such account.</exception>
    public long GetBalance(string identification)
    {
        lock (_gate)
        {
            return _accounts.TryGetValue(identification, out var a)
                ? a.BalanceMinor
                : throw new KeyNotFoundException("No sandbox account with that identification.");
        }
    }

    /// <summary>A snapshot of all accounts, ordered by identification.</summary>
    public IReadOnlyList<SandboxAccount> All()
    {
        lock (_gate)
        {
            return _accounts.Values.OrderBy(a => a.Identification, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Moves money; caller holds the gate. Returns false (nothing moved) when the debtor is short or unknown.</summary>
    internal bool TryTransferLocked(string debtor, string creditor, long amountMinor)
    {
        if (!_accounts.TryGetValue(debtor, out var source) || source.BalanceMinor < amountMinor)
        {
            return false;
        }

        _accounts[debtor] = source with { BalanceMinor = source.BalanceMinor - amountMinor };
        if (_accounts.TryGetValue(creditor, out var to))
        {
            _accounts[creditor] = to with { BalanceMinor = checked(to.BalanceMinor + amountMinor) };
        }

        return true;
    }

    internal bool TryGetLocked(string identification, out SandboxAccount? account) =>
        _accounts.TryGetValue(identification, out account);
}

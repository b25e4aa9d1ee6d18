using Settlement.Service.Ledger;

namespace Settlement.LedgerCrashWriter;

/// <summary>Transfer n of the crash test, a pure function of n (the test links this file to recompute balances).</summary>
internal static class Deterministic
{
    public const int Accounts = 10;

    public static Transfer Transfer(UInt128 n)
    {
        var debit = (int)(n % Accounts) + 1;
        var credit = (int)((n / Accounts) % (Accounts - 1)) + 1;
        credit = credit >= debit ? credit + 1 : credit;
        return new Transfer(n, (UInt128)debit, (UInt128)credit, (n % 7) + 1, LedgerAssets.Gbp, 1);
    }
}

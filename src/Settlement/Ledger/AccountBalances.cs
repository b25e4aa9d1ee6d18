namespace Settlement.Service.Ledger;

/// <summary>
/// A created account and its four balances, in the ledger's base unit (<see cref="LedgerAssets"/>). The account's net
/// position is (credits_posted − debits_posted); pending amounts are reserved by two-phase transfers.
/// </summary>
public sealed record AccountBalances(
    Account Account,
    UInt128 DebitsPending,
    UInt128 DebitsPosted,
    UInt128 CreditsPending,
    UInt128 CreditsPosted,
    DateTimeOffset CreatedAt)
{
    /// <summary>A fresh account: all balances zero.</summary>
    public static AccountBalances Created(Account account, DateTimeOffset createdAt) => new(account, 0, 0, 0, 0, createdAt);
}

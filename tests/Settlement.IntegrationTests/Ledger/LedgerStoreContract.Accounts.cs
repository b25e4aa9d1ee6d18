using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Ledger;

public abstract partial class LedgerStoreContract
{
    public static TheoryData<string, Account, CreateAccountResult> AccountRefusals() => new()
    {
        { "reserved flag", UserAccount(50) with { Flags = (AccountFlags)0x100 }, CreateAccountResult.ReservedFlag },
        { "id 0", UserAccount(0), CreateAccountResult.IdMustNotBeZero },
        { "id max", UserAccount(1) with { Id = UInt128.MaxValue }, CreateAccountResult.IdMustNotBeIntMax },
        { "both limits", UserAccount(50) with { Flags = AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits }, CreateAccountResult.FlagsAreMutuallyExclusive },
        { "ledger 0", UserAccount(50, ledger: 0), CreateAccountResult.LedgerMustNotBeZero },
        { "code 0", UserAccount(50) with { Code = 0 }, CreateAccountResult.CodeMustNotBeZero },
        { "repeat, other flags", UserAccount(User) with { Flags = AccountFlags.None }, CreateAccountResult.ExistsWithDifferentFlags },
        { "repeat, other user data", UserAccount(User) with { UserData = 9 }, CreateAccountResult.ExistsWithDifferentUserData },
        { "repeat, other ledger", UserAccount(User, LedgerAssets.Eth), CreateAccountResult.ExistsWithDifferentLedger },
        { "repeat, other code", UserAccount(User) with { Code = 9 }, CreateAccountResult.ExistsWithDifferentCode },
        { "repeat, same fields", UserAccount(User), CreateAccountResult.Exists },
        { "repeat, linked differently", UserAccount(User) with { Flags = AccountFlags.DebitsMustNotExceedCredits | AccountFlags.Linked }, CreateAccountResult.LinkedEventChainOpen },
    };

    [Theory]
    [MemberData(nameof(AccountRefusals))]
    public async Task CreateAccounts_Refused_ExactResultAndNothingChanged(string why, Account account, CreateAccountResult expected)
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);
        var journal = await store.VerifyJournalAsync();

        (await OpenStore().CreateAccountsAsync([account])).ShouldBe([expected], why);

        (await SnapshotAsync(store)).ShouldBe(before, why);
        (await store.VerifyJournalAsync()).Entries.ShouldBe(journal.Entries, why);
    }

    [Fact]
    public async Task CreateAccounts_New_ZeroBalancesAtTheStoreClock()
    {
        var store = OpenStore();
        Clock.Advance(TimeSpan.FromMinutes(3));

        (await store.CreateAccountsAsync([UserAccount(50) with { UserData = 77 }])).ShouldBe([CreateAccountResult.Ok]);

        (await store.LookupAccountsAsync([50, 51])).ShouldBe([new AccountBalances(UserAccount(50) with { UserData = 77 }, 0, 0, 0, 0, T0.AddMinutes(3))]);
    }

    [Fact]
    public async Task CreateAccounts_LinkedChainWithARepeat_NoneCreated()
    {
        var store = await SeedAsync();

        var results = await store.CreateAccountsAsync(
            [UserAccount(50) with { Flags = AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits }, UserAccount(Merchant), UserAccount(51)]);

        results.ShouldBe([CreateAccountResult.LinkedEventFailed, CreateAccountResult.ExistsWithDifferentCode, CreateAccountResult.Ok]);
        (await store.LookupAccountsAsync([50, 51])).Select(a => a.Account.Id).ShouldBe([(UInt128)51]);
    }
}

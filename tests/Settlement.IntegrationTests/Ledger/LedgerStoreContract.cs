using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>
/// What every <see cref="ILedgerStore"/> must do, run against each backend by a sealed subclass that says how to open a
/// store on its database (a new instance on the same database each time) and how to run raw SQL on it (to tamper).
/// </summary>
public abstract partial class LedgerStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Clock { get; } = new(T0);

    /// <summary>A new store instance on this test's database.</summary>
    protected abstract ILedgerStore OpenStore();

    /// <summary>Runs raw SQL on this test's database, bypassing the store.</summary>
    protected abstract Task ExecuteAsync(string sql);

    /// <summary>SQL that lets the next statements UPDATE and DELETE journal rows (what an attacker with file or superuser access does).</summary>
    protected abstract string DisableJournalTriggersSql { get; }

    /// <summary>SQL for a 16-byte big-endian blob literal of <paramref name="value"/>.</summary>
    protected abstract string Blob(UInt128 value);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    // The standard book: GBP user, merchant, bank clearing; tGBP treasury and escrow; accounts for overflow tests.
    protected const ulong User = 1;
    protected const ulong Merchant = 2;
    protected const ulong Clearing = 3;
    protected const ulong Treasury = 4;
    protected const ulong Escrow = 5;
    protected const ulong Big = 6;
    protected const ulong BigSource = 7;
    protected const ulong Spare = 8;
    protected const ulong Posted = 101;
    protected const ulong PendingOpen = 100;
    protected const ulong PendingPosted = 102;
    protected const ulong PendingVoided = 103;

    protected static Account UserAccount(ulong id, uint ledger = LedgerAssets.Gbp) =>
        new(id, ledger, (ushort)AccountCode.User, AccountFlags.DebitsMustNotExceedCredits);

    protected static Transfer Move(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, uint ledger = LedgerAssets.Gbp, TransferFlags flags = TransferFlags.None) =>
        new(id, debit, credit, amount, ledger, 10, flags);

    /// <summary>Creates the standard book; returns the store.</summary>
    protected async Task<ILedgerStore> SeedAsync()
    {
        var store = OpenStore();
        var accounts = await store.CreateAccountsAsync(
        [
            UserAccount(User),
            new Account(Merchant, LedgerAssets.Gbp, (ushort)AccountCode.Merchant, AccountFlags.DebitsMustNotExceedCredits),
            new Account(Clearing, LedgerAssets.Gbp, (ushort)AccountCode.BankClearing),
            new Account(Treasury, LedgerAssets.Tgbp, (ushort)AccountCode.Treasury),
            new Account(Escrow, LedgerAssets.Tgbp, (ushort)AccountCode.ChannelEscrow, AccountFlags.CreditsMustNotExceedDebits),
            new Account(Big, LedgerAssets.Gbp, (ushort)AccountCode.Fees),
            new Account(BigSource, LedgerAssets.Gbp, (ushort)AccountCode.Fees),
            new Account(Spare, LedgerAssets.Gbp, (ushort)AccountCode.Fees),
        ]);
        accounts.ShouldAllBe(r => r == CreateAccountResult.Ok);
        var transfers = await store.CreateTransfersAsync(
        [
            Move(90, Clearing, User, 1_000),
            Move(91, BigSource, Big, UInt128.MaxValue - 10),
            Move(PendingOpen, User, Merchant, 200, flags: TransferFlags.Pending) with { Timeout = 60 },
            Move(Posted, User, Merchant, 50),
            Move(PendingPosted, User, Merchant, 30, flags: TransferFlags.Pending),
            new Transfer(104, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingPosted),
            Move(PendingVoided, User, Merchant, 20, flags: TransferFlags.Pending),
            new Transfer(105, 0, 0, 0, 0, 0, TransferFlags.VoidPending, PendingVoided),
        ]);
        transfers.ShouldAllBe(r => r == CreateTransferResult.Ok);
        return store;
    }

    /// <summary>Every null argument of the ledger and sweeping-consent calls, each refused naming its parameter.</summary>
    protected static async Task ShouldRefuseNullArgumentsAsync<TStore>(TStore store)
        where TStore : ILedgerStore, ISweepingConsentStore
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => store.CreateAccountsAsync(null!))).ParamName.ShouldBe("accounts");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.CreateTransfersAsync(null!))).ParamName.ShouldBe("transfers");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.LookupAccountsAsync(null!))).ParamName.ShouldBe("ids");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.LookupTransfersAsync(null!))).ParamName.ShouldBe("ids");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.TryInsertSweepingConsentAsync(null!))).ParamName.ShouldBe("consent");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.GetSweepingConsentAsync(null!))).ParamName.ShouldBe("consentId");
    }

    protected static async Task<IReadOnlyList<AccountBalances>> SnapshotAsync(ILedgerStore store) => await store.ListAccountsAsync();

    protected static AccountBalances Find(IReadOnlyList<AccountBalances> accounts, ulong id) => accounts.Single(a => a.Account.Id == id);
}

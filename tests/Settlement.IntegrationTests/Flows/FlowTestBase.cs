using System.Numerics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// The flows over the real SQLite ledger and flow store (one file per test; every <see cref="Runner"/> is a new store
/// instance on it, as after a restart) with fake bank, chain, confirmations and balances.
/// </summary>
public abstract class FlowTestBase : IDisposable
{
    protected const string Payer = "0x1111111111111111111111111111111111111111";
    protected const string Payee = "0x2222222222222222222222222222222222222222";
    protected const string MerchantAddress = "0x3333333333333333333333333333333333333333";
    protected const string MerchantId = "merchant-1";
    protected const string UserId = "user-1";
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-flows-");

    protected FlowTestBase()
    {
        DbPath = Path.Combine(_directory.FullName, "settlement.db");
        Payouts = new PayoutOptions { Interval = TimeSpan.FromDays(1), MinimumPence = 100, FeePence = 50, ChainId = 31337 };
        Payouts.Merchants.Add(new PayoutMerchant
        {
            Id = MerchantId, Address = MerchantAddress, Bank = "sandbox", AccountIdentification = "20000055555555", AccountName = "Merchant Ltd",
        });
    }

    protected string DbPath { get; }

    protected FakeTimeProvider Clock { get; } = new(T0);

    internal FakeBank Bank { get; } = new();

    internal FakeChainActions Chain { get; } = new();

    internal FakeConfirmations Confirmations { get; } = new();

    internal FakeBalances Balances { get; } = new();

    internal FakeSweeps Sweeps { get; } = new();

    protected PayoutOptions Payouts { get; }

    protected SqliteLedgerStore Store() => new(new SqliteLedgerStoreOptions { Path = DbPath }, Clock);

    /// <summary>A new runner on a new store instance over this test's file.</summary>
    protected SettlementFlows Runner(Func<FlowCheckpoint, CancellationToken, ValueTask>? onCheckpoint = null)
    {
        var store = Store();
        return new SettlementFlows(store, store, Bank, Chain, Confirmations, Balances, Payouts, Clock, onCheckpoint: onCheckpoint, sweeps: Sweeps, consents: store);
    }

    protected static TopupRequest Topup(Guid? id = null, long pence = 2_500, string? channelId = null) => new()
    {
        FlowId = id ?? Guid.NewGuid(), UserId = UserId, Bank = "sandbox", AmountPence = pence, PayerAddress = Payer, PayeeAddress = Payee, ChannelId = channelId,
    };

    /// <summary>Net position (credits − debits posted) and the pending amounts of an account; zeros when it does not exist.</summary>
    protected async Task<(long Net, long DebitsPending, long CreditsPending)> BalanceAsync(Account account)
    {
        var found = await Store().LookupAccountsAsync([account.Id]);
        if (found.Count == 0)
        {
            return (0, 0, 0);
        }

        var b = found[0];
        return ((long)((BigInteger)b.CreditsPosted - (BigInteger)b.DebitsPosted), checked((long)b.DebitsPending), checked((long)b.CreditsPending));
    }

    /// <summary>Every ledger balances (Σ debits = Σ credits, posted and pending) and the journal verifies.</summary>
    protected async Task AssertLedgerSoundAsync()
    {
        var store = Store();
        foreach (var ledger in (await store.ListAccountsAsync()).GroupBy(a => a.Account.Ledger))
        {
            ledger.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPosted).ShouldBe(ledger.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPosted), $"ledger {ledger.Key} posted");
            ledger.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPending).ShouldBe(ledger.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPending), $"ledger {ledger.Key} pending");
        }

        var journal = await store.VerifyJournalAsync();
        journal.Ok.ShouldBeTrue(journal.Problem);
    }

    /// <summary>Journal rows so far (accounts and transfers): unchanged means the ledger was not touched.</summary>
    protected async Task<long> JournalEntriesAsync() => (await Store().VerifyJournalAsync()).Entries;

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            _directory.Delete(recursive: true);
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

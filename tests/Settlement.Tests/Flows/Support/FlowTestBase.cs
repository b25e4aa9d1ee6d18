using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

// The namespace of the integration tests' base: their top-up, payout, recharge and crash tests are compiled into this
// project too (linked in the project file, one copy of each test) and run here over the in-memory stores, where
// Stryker can afford to run them for every mutant. The integration project runs the very same tests on SQLite.
namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// The flows over the in-memory ledger and flow store (<see cref="InMemorySettlementStore"/>;
/// every <see cref="Runner"/> is a new runner over the same stores, as after a restart) with fake bank, chain,
/// confirmations and balances. The same members as the integration project's base over SQLite.
/// </summary>
public abstract class FlowTestBase
{
    protected const string Payer = "0x1111111111111111111111111111111111111111";
    protected const string Payee = "0x2222222222222222222222222222222222222222";
    protected const string MerchantAddress = "0x3333333333333333333333333333333333333333";
    protected const string MerchantId = "merchant-1";
    protected const string UserId = "user-1";
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected FlowTestBase()
    {
        Stored = new InMemorySettlementStore(Clock);
        Payouts = new PayoutOptions { Interval = TimeSpan.FromDays(1), MinimumPence = 100, FeePence = 50, ChainId = 31337 };
        Payouts.Merchants.Add(new PayoutMerchant
        {
            Id = MerchantId, Address = MerchantAddress, Bank = "sandbox", AccountIdentification = "20000055555555", AccountName = "Merchant Ltd",
        });
    }

    protected FakeTimeProvider Clock { get; } = new(T0);

    internal FakeBank Bank { get; } = new();

    internal FakeChainActions Chain { get; } = new();

    internal FakeConfirmations Confirmations { get; } = new();

    internal FakeBalances Balances { get; } = new();

    internal FakeSweeps Sweeps { get; } = new();

    /// <summary>The ledger, flows and consents of this test.</summary>
    internal InMemorySettlementStore Stored { get; }

    protected PayoutOptions Payouts { get; }

    /// <summary>The store (the integration base: a new SQLite store instance over the test's file).</summary>
    internal InMemorySettlementStore Store() => Stored;

    /// <summary>A new runner over this test's stores.</summary>
    protected SettlementFlows Runner(Func<FlowCheckpoint, CancellationToken, ValueTask>? onCheckpoint = null) =>
        new(Stored, Stored, Bank, Chain, Confirmations, Balances, Payouts, Clock, onCheckpoint: onCheckpoint, sweeps: Sweeps, consents: Stored);

    protected static TopupRequest Topup(Guid? id = null, long pence = 2_500, string? channelId = null) => new()
    {
        FlowId = id ?? Guid.NewGuid(), UserId = UserId, Bank = "sandbox", AmountPence = pence, PayerAddress = Payer, PayeeAddress = Payee, ChannelId = channelId,
    };

    /// <summary>Net position (credits − debits posted) and the pending amounts of an account; zeros when it does not exist.</summary>
    protected async Task<(long Net, long DebitsPending, long CreditsPending)> BalanceAsync(Account account)
    {
        var found = await Stored.LookupAccountsAsync([account.Id]);
        if (found.Count == 0)
        {
            return (0, 0, 0);
        }

        var b = found[0];
        return ((long)((BigInteger)b.CreditsPosted - (BigInteger)b.DebitsPosted), checked((long)b.DebitsPending), checked((long)b.CreditsPending));
    }

    /// <summary>Every ledger balances (Σ debits = Σ credits, posted and pending).</summary>
    protected async Task AssertLedgerSoundAsync()
    {
        foreach (var ledger in (await Stored.ListAccountsAsync()).GroupBy(a => a.Account.Ledger))
        {
            ledger.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPosted).ShouldBe(ledger.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPosted), $"ledger {ledger.Key} posted");
            ledger.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPending).ShouldBe(ledger.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPending), $"ledger {ledger.Key} pending");
        }
    }

    /// <summary>Journal rows so far (accounts and transfers): unchanged means the ledger was not touched.</summary>
    protected Task<long> JournalEntriesAsync() => Task.FromResult((long)Stored.Entries);
}

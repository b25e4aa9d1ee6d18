using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Flows;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The runner over the PostgreSQL ledger and flow store: a top-up, a payout and a recharge end to end, a crash at every step in turn.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlFlowsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeBank _bank = new();
    private readonly FakeChainActions _chain = new();
    private readonly FakeConfirmations _confirmations = new();
    private readonly FakeBalances _balances = new();
    private readonly FakeSweeps _sweeps = new();
    private readonly PayoutOptions _payouts = new() { MinimumPence = 100, FeePence = 50, ChainId = 31337 };
    private NpgsqlDataSource? _dataSource;

    public async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        _payouts.Merchants.Add(new PayoutMerchant
        {
            Id = "m1", Address = "0x3333333333333333333333333333333333333333", Bank = "sandbox", AccountIdentification = "20000055555555", AccountName = "M",
        });
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private PostgreSqlLedgerStore Store() => new(_dataSource!, _clock);

    private SettlementFlows Runner(Func<FlowCheckpoint, CancellationToken, ValueTask>? onCheckpoint = null)
    {
        var store = Store();
        return new SettlementFlows(store, store, _bank, _chain, _confirmations, _balances, _payouts, _clock, onCheckpoint: onCheckpoint, sweeps: _sweeps, consents: store);
    }

    [Fact]
    public async Task TopupThenPayout_CrashAtEveryStepInTurn_OnceEachAndTheLedgerBalanced()
    {
        var passed = new HashSet<string>(StringComparer.Ordinal);
        ValueTask CrashAtEachNew(FlowCheckpoint c, CancellationToken _) => passed.Add(c.Kind + c.Name) ? throw new SimulatedFlowCrashException(c.Name) : ValueTask.CompletedTask;
        var request = new TopupRequest
        {
            FlowId = Guid.NewGuid(), UserId = "u1", Bank = "sandbox", AmountPence = 2_500,
            PayerAddress = "0x1111111111111111111111111111111111111111", PayeeAddress = "0x2222222222222222222222222222222222222222",
        };
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => Runner(CrashAtEachNew).StartTopupAsync(request));
        _balances.Units["m1"] = 5_000_000;
        var payoutId = (await Runner(CrashAtEachNew).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().FlowId!.Value;
        for (var i = 0; i < 60 && (await Runner().ListAsync(unfinishedOnly: true)).Count > 0; i++)
        {
            await Runner(CrashAtEachNew).ResumeAllAsync();
        }

        passed.Count.ShouldBe(20);
        (await Runner().GetTopupAsync(request.FlowId))!.State.ShouldBe(TopupFlowState.Funded);
        (await Runner().GetPayoutAsync(payoutId))!.State.ShouldBe(PayoutFlowState.Paid);
        _bank.Payments.Count.ShouldBe(2);
        _chain.Transactions.Count.ShouldBe(2);
        var accounts = (await Store().LookupAccountsAsync(
            [SettlementAccounts.BankClearing.Id, SettlementAccounts.StablecoinReserve.Id, SettlementAccounts.Fees.Id, SettlementAccounts.UserFunds("u1").Id, SettlementAccounts.MerchantPayable("m1").Id]))
            .ToDictionary(a => a.Account.Id, a => (long)(System.Numerics.BigInteger)a.CreditsPosted - (long)(System.Numerics.BigInteger)a.DebitsPosted);
        accounts[SettlementAccounts.BankClearing.Id].ShouldBe(-2_500 + 450);
        accounts[SettlementAccounts.StablecoinReserve.Id].ShouldBe(2_500 - 500);
        accounts[SettlementAccounts.Fees.Id].ShouldBe(50);
        accounts[SettlementAccounts.UserFunds("u1").Id].ShouldBe(0);
        accounts[SettlementAccounts.MerchantPayable("m1").Id].ShouldBe(0);
        var journal = await Store().VerifyJournalAsync();
        journal.Ok.ShouldBeTrue(journal.Problem);
    }

    [Fact]
    public async Task Recharge_CrashAtEveryStepInTurn_OneSweepOneFundingAndTheLimitsFromTheStore()
    {
        var consent = RechargeFlowTests.Consent() with { ValidFrom = _clock.GetUtcNow().AddDays(-1), ValidTo = null };
        (await Runner().RegisterSweepingConsentAsync(consent)).Outcome.ShouldBe(SweepingConsentOutcome.Registered);
        (await Runner().RegisterSweepingConsentAsync(consent)).Outcome.ShouldBe(SweepingConsentOutcome.AlreadyRegistered);
        (await Store().GetSweepingConsentAsync(consent.ConsentId)).ShouldBe(consent);
        var passed = new HashSet<string>(StringComparer.Ordinal);
        ValueTask CrashAtEachNew(FlowCheckpoint c, CancellationToken _) => passed.Add(c.Name) ? throw new SimulatedFlowCrashException(c.Name) : ValueTask.CompletedTask;
        var request = new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = "crossing-1", AmountPence = 2_000 };

        await Should.ThrowAsync<SimulatedFlowCrashException>(() => Runner(CrashAtEachNew).StartRechargeAsync(request));
        for (var i = 0; i < 40 && (await Runner().ListAsync(unfinishedOnly: true)).Count > 0; i++)
        {
            await Runner(CrashAtEachNew).ResumeAllAsync();
        }

        passed.Count.ShouldBe(10);
        var flow = (await Runner().GetRechargeAsync(FlowIds.Recharge(consent.ConsentId, "crossing-1")))!;
        flow.State.ShouldBe(TopupFlowState.Funded);
        _sweeps.Sweeps.ShouldHaveSingleItem();
        _chain.Transactions.Count.ShouldBe(1);
        _bank.Payments.ShouldBeEmpty();
        var reserve = (await Store().LookupAccountsAsync([SettlementAccounts.StablecoinReserve.Id])).ShouldHaveSingleItem();
        ((long)(System.Numerics.BigInteger)reserve.CreditsPosted).ShouldBe(2_000);

        (await Runner().StartRechargeAsync(request with { IdempotencyKey = "crossing-2" })).Accepted.ShouldBeTrue();
        var over = await Runner().StartRechargeAsync(request with { IdempotencyKey = "crossing-3", AmountPence = 1_001 });
        over.Refusal.ShouldBe(RechargeRefusal.OverPeriodLimit);
        _sweeps.StartCalls.ShouldBe(2 + 1);
        var journal = await Store().VerifyJournalAsync();
        journal.Ok.ShouldBeTrue(journal.Problem);
    }
}

using System.Collections.Concurrent;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// A crash between any two steps: a checkpoint hook throws there, a fresh runner (new store instance) resumes; at the
/// end every external effect happened once per key (no second bank payment or chain transaction), the ledger holds
/// exactly what one clean run books, balances and verifies.
/// </summary>
public sealed class FlowCrashTests : FlowTestBase
{
    private static readonly string[] TopupCheckpoints =
    [
        "done:bank-topup", "saved:AwaitingBank", "done:credit", "saved:Credited", "done:fund-reserve", "saved:FundingReserved",
        "done:fund-chain", "saved:AwaitingConfirmation", "done:fund-post", "saved:Funded",
    ];

    private static readonly string[] PayoutCheckpoints =
    [
        "done:burn", "saved:BurnSubmitted", "done:payable", "done:fee", "done:payout-reserve", "saved:PayoutReserved",
        "done:bank-payout", "saved:AwaitingBank", "done:payout-post", "saved:Paid",
    ];

    private static readonly string[] RechargeCheckpoints = ["done:bank-sweep", .. TopupCheckpoints.Skip(1)];

    public static TheoryData<string> TopupPoints => [.. TopupCheckpoints];

    public static TheoryData<string> RechargePoints => [.. RechargeCheckpoints];

    public static TheoryData<string> PayoutPoints => [.. PayoutCheckpoints];

    [Fact]
    public async Task CleanRuns_PassExactlyTheCheckpointsTheCrashTestsCover()
    {
        var seen = new ConcurrentQueue<string>();
        var runner = Runner((c, _) =>
        {
            seen.Enqueue(c.Kind + ":" + c.Name);
            return ValueTask.CompletedTask;
        });
        await runner.StartTopupAsync(Topup());
        Balances.Units[MerchantId] = 5_000_000;
        await runner.RunPayoutBatchAsync();

        seen.ShouldBe([.. TopupCheckpoints.Select(c => "Topup:" + c), .. PayoutCheckpoints.Select(c => "Payout:" + c)]);
    }

    [Theory]
    [MemberData(nameof(TopupPoints))]
    public async Task Topup_CrashAt_ResumedByAFreshRunnerWithoutAnyEffectTwice(string crashAt)
    {
        var request = Topup(pence: 2_500);
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => Runner(CrashOnceAt(crashAt)).StartTopupAsync(request));

        await Runner().ResumeAllAsync(); // nothing to do when the crash came after the final save

        await AssertTopupOutcomeAsync(request);
    }

    [Fact]
    public async Task CleanRecharge_PassesExactlyTheCheckpointsTheCrashTestsCover()
    {
        var seen = new ConcurrentQueue<string>();
        var runner = Runner((c, _) =>
        {
            seen.Enqueue(c.Kind + ":" + c.Name);
            return ValueTask.CompletedTask;
        });
        await runner.RegisterSweepingConsentAsync(RechargeFlowTests.Consent());
        await runner.StartRechargeAsync(new RechargeRequest { ConsentId = "vrp-consent-1", IdempotencyKey = "k", AmountPence = 2_000 });

        seen.ShouldBe([.. RechargeCheckpoints.Select(c => "Recharge:" + c)]);
    }

    [Theory]
    [MemberData(nameof(RechargePoints))]
    public async Task Recharge_CrashAt_ResumedByAFreshRunnerWithoutPayingOrFundingTwice(string crashAt)
    {
        await Runner().RegisterSweepingConsentAsync(RechargeFlowTests.Consent());
        var request = new RechargeRequest { ConsentId = "vrp-consent-1", IdempotencyKey = "crossing-1", AmountPence = 2_000 };
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => Runner(CrashOnceAt(crashAt)).StartRechargeAsync(request));

        await Runner().ResumeAllAsync();
        var repeat = await Runner().StartRechargeAsync(request); // the payer's client retrying after the crash

        repeat.Accepted.ShouldBeTrue();
        repeat.Created.ShouldBeFalse();
        var flow = (await Runner().GetRechargeAsync(FlowIds.Recharge("vrp-consent-1", "crossing-1")))!;
        flow.State.ShouldBe(TopupFlowState.Funded);
        Sweeps.Sweeps.ShouldHaveSingleItem().Request.OperationId.ShouldBe(flow.BankOperationId);
        Sweeps.StartCalls.ShouldBeInRange(1, 2);
        var key = FlowIds.ChainStep(flow.Id, "fund-chain");
        Chain.Transactions.Keys.ShouldBe([key]);
        Chain.CallsFor(key).ShouldBeInRange(1, 2);
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-2_000, 0, 0));
        (await BalanceAsync(SettlementAccounts.UserFunds(UserId))).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_000, 0, 0));
        (await JournalEntriesAsync()).ShouldBe(3 + 3); // three accounts, credit + reserve + post
        await AssertLedgerSoundAsync();
    }

    [Theory]
    [MemberData(nameof(PayoutPoints))]
    public async Task Payout_CrashAt_ResumedByAFreshRunnerWithoutAnyEffectTwice(string crashAt)
    {
        Balances.Units[MerchantId] = 5_000_000;
        var item = (await Runner(CrashOnceAt(crashAt)).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();
        item.Outcome.ShouldBe(PayoutBatchItemOutcome.AdvanceFailed);
        item.Detail.ShouldBe(nameof(SimulatedFlowCrashException));

        await Runner().ResumeAllAsync();

        await AssertPayoutOutcomeAsync(item.FlowId!.Value);
    }

    [Fact]
    public async Task Topup_CrashAtEveryStepInTurn_EachFreshRunnerGoesOneStepFurther()
    {
        var request = Topup(pence: 2_500);
        var passed = new HashSet<string>(StringComparer.Ordinal);
        var crashes = 0;
        try
        {
            await Runner(CrashAtEachNew(passed)).StartTopupAsync(request);
        }
        catch (SimulatedFlowCrashException)
        {
            crashes++;
        }

        for (var i = 0; i < 40 && (await Runner().GetAsync(request.FlowId))?.Finished != true; i++)
        {
            try
            {
                await Runner(CrashAtEachNew(passed)).AdvanceAsync(request.FlowId);
            }
            catch (SimulatedFlowCrashException)
            {
                crashes++;
            }
        }

        crashes.ShouldBe(TopupCheckpoints.Length);
        passed.ShouldBe(TopupCheckpoints, ignoreOrder: true);
        await AssertTopupOutcomeAsync(request);
    }

    [Fact]
    public async Task Payout_CrashAtEveryStepInTurn_EachFreshRunnerGoesOneStepFurther()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var passed = new HashSet<string>(StringComparer.Ordinal);
        var id = (await Runner(CrashAtEachNew(passed)).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().FlowId!.Value;
        for (var i = 0; i < 40 && (await Runner().GetAsync(id))?.Finished != true; i++)
        {
            await Runner(CrashAtEachNew(passed)).ResumeAllAsync();
        }

        passed.ShouldBe(PayoutCheckpoints, ignoreOrder: true);
        await AssertPayoutOutcomeAsync(id);
    }

    [Theory]
    [InlineData("done:return-reversal")]
    [InlineData("saved:Reversed")]
    public async Task TopupReturn_CrashAt_ReversedOnce(string crashAt)
    {
        Chain.Revert = true;
        var flow = (await Runner().StartTopupAsync(Topup(pence: 800))).Flow!;
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => Runner(CrashOnceAt(crashAt)).RecordBankReturnAsync(flow.Id, "MD06"));

        await Runner().ResumeAllAsync();
        (await Runner().GetAsync(flow.Id))!.State.ShouldBe("Reversed");
        (await Runner().GetHistoryAsync(flow.Id)).Count(h => h.ToState == "Reversed").ShouldBe(1);
        (await BalanceAsync(SettlementAccounts.UserFunds(UserId))).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task Advance_TwoRunnersOnTheSameFlows_OneEffectPerStep()
    {
        Bank.TopupStatus = BankPaymentStatus.Pending;
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var flow = (await Runner().StartTopupAsync(Topup(pence: 100 + i))).Flow!;
            Bank.Set(flow.BankOperationId, BankPaymentStatus.Completed);
            ids.Add(flow.Id);
        }

        var (a, b) = (Runner(YieldEverywhere), Runner(YieldEverywhere));
        await Task.WhenAll(ids.SelectMany(id => new[] { a.AdvanceAsync(id), b.AdvanceAsync(id) }));

        foreach (var id in ids)
        {
            (await Runner().GetTopupAsync(id))!.State.ShouldBe(TopupFlowState.Funded);
            var history = await Runner().GetHistoryAsync(id);
            history.Select(h => h.Version).ShouldBe(Enumerable.Range(1, history.Count).Select(v => (long)v));
        }

        Bank.Payments.Count.ShouldBe(5);
        Chain.Transactions.Count.ShouldBe(5);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((510, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-510, 0, 0));
        (await BalanceAsync(SettlementAccounts.UserFunds(UserId))).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    private static async ValueTask YieldEverywhere(FlowCheckpoint checkpoint, CancellationToken cancellationToken) => await Task.Yield();

    private static Func<FlowCheckpoint, CancellationToken, ValueTask> CrashOnceAt(string name) => (c, _) =>
        c.Name == name ? throw new SimulatedFlowCrashException(c.Name) : ValueTask.CompletedTask;

    private static Func<FlowCheckpoint, CancellationToken, ValueTask> CrashAtEachNew(HashSet<string> passed) => (c, _) =>
        passed.Add(c.Name) ? throw new SimulatedFlowCrashException(c.Name) : ValueTask.CompletedTask;

    private async Task AssertTopupOutcomeAsync(TopupRequest request)
    {
        var flow = (await Runner().GetTopupAsync(request.FlowId))!;
        flow.State.ShouldBe(TopupFlowState.Funded);
        Bank.Payments.ShouldHaveSingleItem().OperationId.ShouldBe(flow.BankOperationId);
        var key = FlowIds.ChainStep(flow.Id, "fund-chain");
        Chain.Transactions.Keys.ShouldBe([key]);
        Chain.CallsFor(key).ShouldBeInRange(1, 2);
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-2_500, 0, 0));
        (await BalanceAsync(SettlementAccounts.UserFunds(UserId))).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_500, 0, 0));
        (await JournalEntriesAsync()).ShouldBe(3 + 3); // three accounts, credit + reserve + post
        await AssertLedgerSoundAsync();
    }

    private async Task AssertPayoutOutcomeAsync(Guid id)
    {
        var flow = (await Runner().GetPayoutAsync(id))!;
        flow.State.ShouldBe(PayoutFlowState.Paid);
        Bank.Payments.ShouldHaveSingleItem().OperationId.ShouldBe(flow.BankOperationId);
        Chain.Transactions.Keys.ShouldBe([FlowIds.ChainStep(id, "burn")]);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((-500, 0, 0));
        (await BalanceAsync(SettlementAccounts.MerchantPayable(MerchantId))).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.Fees)).ShouldBe((50, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((450, 0, 0));
        (await JournalEntriesAsync()).ShouldBe(4 + 4); // four accounts, payable + fee + reserve + post
        await AssertLedgerSoundAsync();
    }
}

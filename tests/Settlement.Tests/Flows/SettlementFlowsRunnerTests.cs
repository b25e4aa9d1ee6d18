using Microsoft.Extensions.Logging;
using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;
using Settlement.Service.Tests.Ledger.Expiry;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The runner itself (<see cref="SettlementFlows"/>), whatever the flow: its arguments, the loop of
/// <see cref="SettlementFlows.AdvanceAsync"/> (unknown ids and kinds, a flow that never comes to rest, the per-flow
/// gate, a lost race), the resume pass's fault isolation, bank-return arguments, a ledger account that cannot be
/// created, and what it logs.
/// </summary>
public sealed class SettlementFlowsRunnerTests : FlowTestBase
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    // Vectors/flow-ids.py: the batch of the slot that holds T0 (2026-03-01, one-day slots) and its merchant-1 payout.
    private static readonly Guid BatchId = Guid.Parse("f8b0a56d-5a1c-8c71-8d14-a5ddb681915a");
    private static readonly Guid PayoutId = Guid.Parse("df0e0ca7-29a1-8a88-ad05-174c51c9ed9f");

    private readonly CapturingLogger<SettlementFlows> _log = new();

    private SettlementFlows Over(IFlowStore store, IBankPayments? bank = null) =>
        new(store, Stored, bank ?? Bank, Chain, Confirmations, Balances, Payouts, Clock, _log);

    private static StoredFlow Corrupt(Guid id, FlowKind kind = FlowKind.Payout) => new(id, kind, "Created", false, "not json", 1, T0, T0);

    [Theory]
    [InlineData(0, "store")]
    [InlineData(1, "ledger")]
    [InlineData(2, "bank")]
    [InlineData(3, "chain")]
    [InlineData(4, "confirmations")]
    [InlineData(5, "balances")]
    [InlineData(6, "payouts")]
    public void Constructor_MissingPart_ThrowsNamingIt(int missing, string name)
    {
        Should.Throw<ArgumentNullException>(() => new SettlementFlows(
            missing == 0 ? null! : Stored, missing == 1 ? null! : Stored, missing == 2 ? null! : Bank, missing == 3 ? null! : Chain,
            missing == 4 ? null! : Confirmations, missing == 5 ? null! : Balances, missing == 6 ? null! : Payouts)).ParamName.ShouldBe(name);
    }

    [Fact]
    public async Task Advance_UnknownId_Null()
    {
        (await Runner().AdvanceAsync(Guid.NewGuid())).ShouldBeNull();
        (await Runner().GetAsync(Guid.NewGuid())).ShouldBeNull();
    }

    [Fact]
    public async Task Advance_StoredFlowOfAnUnknownKind_InvalidDataNamingIt()
    {
        var id = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
        Stored.Put(new StoredFlow(id, (FlowKind)99, "Created", false, "{}", 1, T0, T0));

        (await Should.ThrowAsync<InvalidDataException>(() => Runner().AdvanceAsync(id)))
            .Message.ShouldBe("Flow 6f1c2d3e4b5a4c7d8e9f0a1b2c3d4e5f has unknown kind 99.");
        (await Should.ThrowAsync<InvalidDataException>(() => Runner().RecordBankReturnAsync(id, "AC01")))
            .Message.ShouldBe("Flow 6f1c2d3e4b5a4c7d8e9f0a1b2c3d4e5f has unknown kind 99.");
        (await Stored.GetAsync(id))!.Version.ShouldBe(1);
    }

    [Fact]
    public async Task Advance_EveryUpdateLostToAnotherRunner_GivesUpAfter64StepsNamingTheFlow()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var store = new HookedFlowStore(Stored) { LoseUpdate = _ => true };

        var item = (await Over(store).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.AdvanceFailed, 500, PayoutId, PayoutFlowState.Created, "InvalidOperationException"));
        var burnKey = FlowIds.ChainStep(PayoutId, "burn");
        Chain.CallsFor(burnKey).ShouldBe(64);

        (await Should.ThrowAsync<InvalidOperationException>(() => Over(store).AdvanceAsync(PayoutId)))
            .Message.ShouldBe("Flow df0e0ca729a18a88ad05174c51c9ed9f did not come to rest after 64 steps.");
        Chain.CallsFor(burnKey).ShouldBe(128);
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"burn {MerchantAddress} 5000000");
        (await Stored.GetAsync(PayoutId))!.State.ShouldBe("Created");
    }

    [Fact]
    public async Task Advance_TwiceOnOneRunner_TheFirstCallReleasedTheFlow()
    {
        Confirmations.ConfirmAll = false;
        Balances.Units[MerchantId] = 5_000_000;
        var runner = Runner();
        (await runner.RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().State.ShouldBe(PayoutFlowState.BurnSubmitted);

        (await runner.AdvanceAsync(PayoutId).WaitAsync(Guard))!.State.ShouldBe("BurnSubmitted");
        Confirmations.ConfirmAll = true;
        (await runner.AdvanceAsync(PayoutId).WaitAsync(Guard))!.State.ShouldBe("Paid");
    }

    [Fact]
    public async Task Advance_AnotherRunnerSavedTheSameStepFirst_ReloadsAndGoesOn()
    {
        Balances.Units[MerchantId] = 5_000_000;

        // The first save (Created -> BurnSubmitted) finds that another runner wrote exactly that version first.
        Stored.BeforeUpdate = next => Stored.Put(next);
        var item = (await Over(Stored).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.State.ShouldBe(PayoutFlowState.Paid);
        Chain.CallsFor(FlowIds.ChainStep(PayoutId, "burn")).ShouldBe(1);
        _log.Entries.ShouldContain(e => e.EventId == 2 && e.Message == $"Flow {PayoutId} (Payout) was moved by another runner while in Created; reloading");
        (await Stored.GetTransitionsAsync(PayoutId)).Select(t => t.ToState).ShouldBe(["Created", "PayoutReserved", "AwaitingBank", "Paid"]);
    }

    [Fact]
    public async Task Advance_LogsEachTransitionToTheGivenLogger()
    {
        Balances.Units[MerchantId] = 5_000_000;

        await Over(Stored).RunPayoutBatchAsync();

        _log.Entries.Where(e => e.EventId == 1).Select(e => e.Message).ShouldBe(
        [
            $"Flow {PayoutId} (Payout) Created -> BurnSubmitted (burn-mined)",
            $"Flow {PayoutId} (Payout) BurnSubmitted -> PayoutReserved (burn-confirmed)",
            $"Flow {PayoutId} (Payout) PayoutReserved -> AwaitingBank (bank-started)",
            $"Flow {PayoutId} (Payout) AwaitingBank -> Paid (bank-completed)",
        ]);
    }

    [Fact]
    public async Task ResumeAll_OneFlowFaultsAndOneIsCorrupt_TheFaultedAsStoredTheCorruptLeftOutBothLogged()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var bank = new RecordingBank(Bank) { PayoutFault = new HttpRequestException("bank down") };
        var item = (await Over(Stored, bank).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();
        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.AdvanceFailed, 500, PayoutId, PayoutFlowState.Created, "HttpRequestException"));
        var corrupt = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
        Stored.Put(Corrupt(corrupt));
        var stored = (await Stored.GetAsync(PayoutId))!;

        var resumed = await Over(Stored, bank).ResumeAllAsync();

        resumed.ShouldBe([new FlowSnapshot(PayoutId, FlowKind.Payout, "PayoutReserved", false, false, stored.Version, null, stored.UpdatedAt)]);
        _log.Entries.Where(e => e.EventId == 3).Select(e => e.Message).ShouldBe(
        [
            $"Advancing flow {PayoutId} (Payout) failed (HttpRequestException); retried at the next pass",
            $"Advancing flow {PayoutId} (Payout) failed (HttpRequestException); retried at the next pass",
            $"Advancing flow {corrupt} (Payout) failed (InvalidDataException); retried at the next pass",
        ]);
        bank.Payouts.Count.ShouldBe(2);

        bank.PayoutFault = null;
        (await Over(Stored, bank).ResumeAllAsync()).Select(s => (s.Id, s.State)).ShouldBe([(PayoutId, "Paid")]);
    }

    [Fact]
    public async Task ResumeAll_Cancelled_ThrowsInsteadOfSkippingTheFlow()
    {
        Confirmations.ConfirmAll = false;
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => Runner().ResumeAllAsync(cancelled.Token));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task RecordBankReturn_BlankReason_RefusedAndUnchanged(string reason)
    {
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();
        var before = await Runner().GetPayoutAsync(PayoutId);

        (await Should.ThrowAsync<ArgumentException>(() => Runner().RecordBankReturnAsync(PayoutId, reason))).ParamName.ShouldBe("reason");
        (await Runner().GetPayoutAsync(PayoutId)).ShouldBe(before);
    }

    [Fact]
    public async Task Advance_PayableAccountExistsWithOtherFlags_ThrowsNamingTheAccountAndBooksNothing()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var payable = SettlementAccounts.MerchantPayable(MerchantId);
        (await Stored.CreateAccountsAsync([payable with { Flags = AccountFlags.None }])).ShouldBe([CreateAccountResult.Ok]);

        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.Outcome.ShouldBe(PayoutBatchItemOutcome.AdvanceFailed);
        item.Detail.ShouldBe("InvalidOperationException");
        (await Should.ThrowAsync<InvalidOperationException>(() => Runner().AdvanceAsync(PayoutId)))
            .Message.ShouldBe("Ledger account 248965214424238004198458160184593778107 cannot be created: ExistsWithDifferentFlags.");
        (await Runner().GetPayoutAsync(PayoutId))!.State.ShouldBe(PayoutFlowState.BurnSubmitted);
        Stored.Asked.ShouldBeEmpty();
    }

    [Fact]
    public async Task Batch_LogsHowManyStartedAndHowManyWereSkipped()
    {
        Balances.Units[MerchantId] = 5_000_000;

        var batch = await Over(Stored).RunPayoutBatchAsync([MerchantId, "nobody", "ghost"]);

        batch.BatchId.ShouldBe(BatchId);
        _log.Entries.Where(e => e.EventId == 7).Select(e => (e.Level, e.Message))
            .ShouldBe([(LogLevel.Information, $"Payout batch {BatchId} (slot 2026-03-01T00:00:00.0000000+00:00): 1 started, 2 skipped")]);
        _log.Entries.Where(e => e.EventId == 8).Select(e => e.Message).ShouldBe(
        [
            $"Payout batch {BatchId}: merchant nobody skipped (UnknownMerchant): 'nobody' is not a configured merchant",
            $"Payout batch {BatchId}: merchant ghost skipped (UnknownMerchant): 'ghost' is not a configured merchant",
        ]);
    }
}

using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.IntegrationTests.Flows;

public sealed class PayoutFlowTests : FlowTestBase
{
    private static readonly Settlement.Service.Ledger.Account Payable = SettlementAccounts.MerchantPayable(MerchantId);

    [Fact]
    public async Task RunPayoutBatch_BurnConfirmedFeeBankCompleted_PostedAndTheLedgerAsTheModelSays()
    {
        Balances.Units[MerchantId] = 12_345_678; // 1234.5678p: 1234 whole pence, the rest stays on chain
        var batch = await Runner().RunPayoutBatchAsync();

        batch.SlotStart.ShouldBe(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var item = batch.Items.ShouldHaveSingleItem();
        item.Outcome.ShouldBe(PayoutBatchItemOutcome.Started);
        item.AmountPence.ShouldBe(1_234);
        item.State.ShouldBe(PayoutFlowState.Paid);
        item.FlowId.ShouldBe(FlowIds.PayoutFlow(batch.BatchId, MerchantId));

        var flow = (await Runner().GetPayoutAsync(item.FlowId!.Value))!;
        flow.Order.NetPence.ShouldBe(1_184);
        flow.IsFinished.ShouldBeTrue();
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"burn {MerchantAddress} 12340000");
        Confirmations.Asked[flow.Burn!.TransactionHash].ShouldBe(ChainEventKind.TokenTransfer);
        Bank.Payments.ShouldHaveSingleItem().ShouldBe(new FakeBank.Payment(
            flow.BankOperationId, "payout", 1_184, new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant Ltd"), BankPaymentStatus.Completed));

        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((-1_234, 0, 0));
        (await BalanceAsync(Payable)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.Fees)).ShouldBe((50, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((1_184, 0, 0));
        await AssertLedgerSoundAsync();
        (await Runner().GetHistoryAsync(flow.Id)).Select(h => h.ToState).ShouldBe(["Created", "BurnSubmitted", "PayoutReserved", "AwaitingBank", "Paid"]);
    }

    [Fact]
    public async Task RunPayoutBatch_TwiceInTheSlot_PaysOnceAndTheNextSlotIsANewBatch()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var first = await Runner().RunPayoutBatchAsync();
        Clock.Advance(TimeSpan.FromHours(11)); // still 1 March
        var second = await Runner().RunPayoutBatchAsync();

        second.BatchId.ShouldBe(first.BatchId);
        second.Items.ShouldHaveSingleItem().Outcome.ShouldBe(PayoutBatchItemOutcome.AlreadyInBatch);
        second.Items[0].FlowId.ShouldBe(first.Items[0].FlowId);
        Chain.Transactions.Count.ShouldBe(1);
        Bank.Payments.Count.ShouldBe(1);

        Clock.Advance(TimeSpan.FromHours(1));
        var next = await Runner().RunPayoutBatchAsync();
        next.BatchId.ShouldNotBe(first.BatchId);
        next.Items.ShouldHaveSingleItem().Outcome.ShouldBe(PayoutBatchItemOutcome.Started);
        Chain.Transactions.Count.ShouldBe(2);
    }

    [Fact]
    public async Task RunPayoutBatch_TwoRunnersInTheSameSlot_PayOnce()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var results = await Task.WhenAll(Runner().RunPayoutBatchAsync(), Runner().RunPayoutBatchAsync());

        results.Select(r => r.BatchId).Distinct().ShouldHaveSingleItem();
        results.SelectMany(r => r.Items).Select(i => i.Outcome).OrderBy(o => o)
            .ShouldBe([PayoutBatchItemOutcome.Started, PayoutBatchItemOutcome.AlreadyInBatch]);
        Chain.Transactions.Count.ShouldBe(1);
        Bank.Payments.Count.ShouldBe(1);
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((450, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RunPayoutBatch_BelowMinimum_NotPaidWithTheReason()
    {
        Balances.Units[MerchantId] = 999_999; // 99.9999p < 100p
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.BelowMinimum, 99, null, null, "99p is below the minimum 100p"));
        Chain.Transactions.ShouldBeEmpty();
        Bank.StartCalls.ShouldBe(0);
        (await Runner().ListAsync()).ShouldBeEmpty();
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task RunPayoutBatch_FeeNotLessThanTheAmount_SkippedWithTheReason()
    {
        Payouts.FeePence = 150;
        Balances.Units[MerchantId] = 1_500_000; // 150p: the fee would take all of it
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.FeeNotCovered, 150, null, null, "the fee 150p is not less than 150p"));
        Chain.Transactions.ShouldBeEmpty();
        (await Runner().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunPayoutBatch_EarlierPayoutUnfinished_SkipsTheMerchant()
    {
        Confirmations.ConfirmAll = false;
        Balances.Units[MerchantId] = 5_000_000;
        var first = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();
        first.State.ShouldBe(PayoutFlowState.BurnSubmitted);

        Clock.Advance(TimeSpan.FromDays(1));
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.Outcome.ShouldBe(PayoutBatchItemOutcome.PreviousPayoutUnfinished);
        item.Detail.ShouldBe($"payout {first.FlowId:N} is BurnSubmitted");
        Chain.Transactions.Count.ShouldBe(1);
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Advance_BankRejectsThePayout_VoidedAndTheMerchantKeepsThePayable()
    {
        Bank.PayoutStatus = BankPaymentStatus.Rejected;
        Balances.Units[MerchantId] = 5_000_000;
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.State.ShouldBe(PayoutFlowState.BankRejected);
        var flow = (await Runner().GetPayoutAsync(item.FlowId!.Value))!;
        flow.NeedsAttention.ShouldBeTrue();
        flow.Problem!.ShouldBe(new FlowProblem("bank-rejected", "RJCT by the bank"));
        (await BalanceAsync(Payable)).ShouldBe((450, 0, 0));
        (await BalanceAsync(SettlementAccounts.Fees)).ShouldBe((50, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RecordBankReturn_AfterThePayoutCompleted_ReversesItToThePayable()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var id = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().FlowId!.Value;

        var returned = await Runner().RecordBankReturnAsync(id, "AC01 incorrect account number");

        returned.Outcome.ShouldBe(BankReturnOutcome.Recorded);
        returned.Flow!.State.ShouldBe("Returned");
        returned.Flow.NeedsAttention.ShouldBeTrue();
        (await BalanceAsync(Payable)).ShouldBe((450, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RecordBankReturn_PayoutNotPaid_NotReturnableAndUnchanged()
    {
        Confirmations.ConfirmAll = false;
        Balances.Units[MerchantId] = 5_000_000;
        var id = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().FlowId!.Value;
        var before = await Runner().GetPayoutAsync(id);

        (await Runner().RecordBankReturnAsync(id, "x")).Outcome.ShouldBe(BankReturnOutcome.NotReturnable);
        (await Runner().GetPayoutAsync(id)).ShouldBe(before);
    }

    [Fact]
    public async Task RunPayoutBatch_UnknownMerchant_RefusedWithTheReasonAndNothingStored()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var result = await Runner().RunPayoutBatchAsync(["nobody"]);

        result.Items.ShouldHaveSingleItem().ShouldBe(new PayoutBatchItem("nobody", PayoutBatchItemOutcome.UnknownMerchant, 0, null, null, "'nobody' is not a configured merchant"));
        (await Runner().ListAsync()).ShouldBeEmpty();
        Chain.Transactions.ShouldBeEmpty();
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task RunPayoutBatch_OneMerchantNowThenTheScheduledBatch_PaidOnceInTheSlot()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var now = (await Runner().RunPayoutBatchAsync([MerchantId])).Items.ShouldHaveSingleItem();
        var scheduled = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        now.Outcome.ShouldBe(PayoutBatchItemOutcome.Started);
        scheduled.Outcome.ShouldBe(PayoutBatchItemOutcome.AlreadyInBatch);
        scheduled.FlowId.ShouldBe(now.FlowId);
        Bank.Payments.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RunPayoutBatch_BurnReverts_BurnFailedReportedAndNothingBooked()
    {
        Chain.Revert = true;
        Balances.Units[MerchantId] = 5_000_000;
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.State.ShouldBe(PayoutFlowState.BurnFailed);
        item.Detail.ShouldBe("execution reverted: insufficient allowance");
        Bank.StartCalls.ShouldBe(0);
        (await JournalEntriesAsync()).ShouldBe(0);
    }
}

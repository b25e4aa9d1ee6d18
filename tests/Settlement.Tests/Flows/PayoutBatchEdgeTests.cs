using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The payout flow's edges: balances at the minimum and beyond a long, a zero fee, a runner that inserts first, a
/// cancelled batch, every ledger refusal and bank answer with its exact problem, the bank payment's exact arguments,
/// and a pending payment that waits.
/// </summary>
public sealed class PayoutBatchEdgeTests : FlowTestBase
{
    // Vectors/flow-ids.py: the merchant-1 payout of the slot that holds T0 and its bank operation.
    private static readonly Guid PayoutId = Guid.Parse("df0e0ca7-29a1-8a88-ad05-174c51c9ed9f");
    private static readonly Guid BankOperationId = Guid.Parse("158b4bed-a0df-8286-8628-bdc7e6ce239b");
    private static readonly Account Payable = SettlementAccounts.MerchantPayable(MerchantId);
    private static readonly AccountIdentification MerchantAccount = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant Ltd");

    private SettlementFlows Over(IFlowStore store, IBankPayments bank, IChainActions? chain = null) =>
        new(store, Stored, bank, chain ?? Chain, Confirmations, Balances, Payouts, Clock);

    private static Func<Transfer, CreateTransferResult?> RefuseWhere(Func<Transfer, bool> which, CreateTransferResult result) =>
        t => which(t) ? result : null;

    [Fact]
    public async Task RunPayoutBatch_NullMerchantIds_ThrowsNamingThem()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().RunPayoutBatchAsync(null!))).ParamName.ShouldBe("merchantIds");
    }

    [Fact]
    public async Task RunPayoutBatch_BalanceExactlyTheMinimum_Paid()
    {
        Balances.Units[MerchantId] = 1_000_000; // 100p, the minimum

        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.Started, 100, PayoutId, PayoutFlowState.Paid, null));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((50, 0, 0));
    }

    [Fact]
    public async Task RunPayoutBatch_BalanceBeyondALongOfPence_PaysLongMaxValue()
    {
        Balances.Units[MerchantId] = ((UInt128)long.MaxValue + 1) * 10_000; // 2^63 whole pence

        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.Outcome.ShouldBe(PayoutBatchItemOutcome.Started);
        item.AmountPence.ShouldBe(9_223_372_036_854_775_807);
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"burn {MerchantAddress} 92233720368547758070000");
    }

    [Fact]
    public async Task Advance_ZeroFee_NoFeeLegAndTheWholeAmountPaid()
    {
        Payouts.FeePence = 0;
        Balances.Units[MerchantId] = 5_000_000;

        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.State.ShouldBe(PayoutFlowState.Paid);
        var reserveId = FlowIds.LedgerTransfer(PayoutId, "payout-reserve");
        Stored.Asked.ShouldBe(
        [
            new Transfer(FlowIds.LedgerTransfer(PayoutId, "payable"), SettlementAccounts.StablecoinReserve.Id, Payable.Id, 500, LedgerAssets.Gbp, 2011),
            new Transfer(reserveId, Payable.Id, SettlementAccounts.BankClearing.Id, 500, LedgerAssets.Gbp, 2013, TransferFlags.Pending),
            new Transfer(FlowIds.LedgerTransfer(PayoutId, "payout-post"), Payable.Id, SettlementAccounts.BankClearing.Id, 500, LedgerAssets.Gbp, 2013, TransferFlags.PostPending, reserveId),
        ]);
        (await BalanceAsync(SettlementAccounts.Fees)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((500, 0, 0));
    }

    [Fact]
    public async Task Advance_PayoutStarted_TheBankGetsTheOperationNetAmountAccountAndReference()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var bank = new RecordingBank(Bank);

        await Over(Stored, bank).RunPayoutBatchAsync();

        bank.Payouts.ShouldBe([new BankPayout(BankOperationId, "sandbox", 450, MerchantAccount, "l2pay df0e0ca7")]);
    }

    [Fact]
    public async Task RunPayoutBatch_AnotherRunnerInsertsFirst_ItsAmountStandsAndTheLineSaysAlreadyInBatch()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var store = new HookedFlowStore(Stored)
        {
            BeforeInsert = async mine =>
            {
                var theirs = FlowCodec.DecodePayout(mine);
                (await Stored.TryInsertAsync(FlowCodec.Encode(theirs with { Order = theirs.Order with { AmountPence = 300 } }), "created")).ShouldBeTrue();
            },
        };

        var item = (await Over(store, Bank).RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();

        item.ShouldBe(new PayoutBatchItem(MerchantId, PayoutBatchItemOutcome.AlreadyInBatch, 300, PayoutId, PayoutFlowState.Paid, null));
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"burn {MerchantAddress} 3000000");
        Bank.Payments.ShouldHaveSingleItem().AmountPence.ShouldBe(250);
        Stored.FlowInserts.ShouldBe(1);
    }

    [Fact]
    public async Task RunPayoutBatch_Cancelled_ThrowsAndTheCreatedPayoutWaitsForTheNextPass()
    {
        Balances.Units[MerchantId] = 5_000_000;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => Runner().RunPayoutBatchAsync(cancelled.Token));

        (await Runner().GetPayoutAsync(PayoutId))!.State.ShouldBe(PayoutFlowState.Created);
        Chain.Transactions.ShouldBeEmpty();
    }

    [Fact]
    public async Task Advance_BurnReverts_BurnFailedWithTheChainsError()
    {
        Chain.Revert = true;
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.BurnFailed);
        flow.Problem.ShouldBe(new FlowProblem("chain-reverted", "execution reverted: insufficient allowance"));
    }

    [Fact]
    public async Task Advance_BurnRevertsWithoutAnError_BurnFailedSayingSo()
    {
        Balances.Units[MerchantId] = 5_000_000;
        await Over(Stored, Bank, new SilentRevertChain()).RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.BurnFailed);
        flow.Problem.ShouldBe(new FlowProblem("chain-reverted", "the burn reverted"));
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Advance_LedgerRefusesThePayable_RefusedNamingTheStepAndNothingBooked()
    {
        Stored.Refuse = RefuseWhere(t => t.Code == 2011, CreateTransferResult.ExceedsCredits);
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "payable: ExceedsCredits"));
        Bank.StartCalls.ShouldBe(0);
        (await BalanceAsync(Payable)).ShouldBe((0, 0, 0));
    }

    [Fact]
    public async Task Advance_LedgerRefusesThePost_RefusedAndTheReservationStands()
    {
        Stored.Refuse = RefuseWhere(t => t.Flags == TransferFlags.PostPending, CreateTransferResult.PendingTransferExpired);
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "payout post: PendingTransferExpired"));
        (await BalanceAsync(Payable)).ShouldBe((450, 450, 0));
    }

    [Fact]
    public async Task Advance_LedgerRefusesTheVoidOfARejectedPayout_RefusedNamingTheVoid()
    {
        Bank.PayoutStatus = BankPaymentStatus.Rejected;
        Stored.Refuse = RefuseWhere(t => t.Flags == TransferFlags.VoidPending, CreateTransferResult.PendingTransferExpired);
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "payout void: PendingTransferExpired"));
    }

    [Fact]
    public async Task RecordBankReturn_LedgerRefusesTheReversal_RefusedNamingTheReversal()
    {
        Balances.Units[MerchantId] = 5_000_000;
        await Runner().RunPayoutBatchAsync();
        Stored.Refuse = RefuseWhere(t => t.Code == 2014, CreateTransferResult.ExceedsCredits);

        var returned = await Runner().RecordBankReturnAsync(PayoutId, "AC01");

        returned.Outcome.ShouldBe(BankReturnOutcome.Recorded);
        returned.Flow!.State.ShouldBe("Refused");
        returned.Flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "return reversal: ExceedsCredits"));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((450, 0, 0));
    }

    [Theory]
    [InlineData("other parameters", "other parameters")]
    [InlineData(null, "conflict")]
    public async Task Advance_BankAnswersConflict_VoidedAndRefusedWithTheBanksDetail(string? detail, string expected)
    {
        Balances.Units[MerchantId] = 5_000_000;
        var bank = new RecordingBank(Bank) { AnswerPayout = p => new BankPaymentResult(p.OperationId, BankPaymentStatus.Conflict, Detail: detail) };
        await Over(Stored, bank).RunPayoutBatchAsync();

        var flow = (await Runner().GetPayoutAsync(PayoutId))!;

        flow.State.ShouldBe(PayoutFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("bank-conflict", expected));
        (await BalanceAsync(Payable)).ShouldBe((450, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
        Stored.Asked.Last().ShouldBe(new Transfer(
            FlowIds.LedgerTransfer(PayoutId, "payout-void"), Payable.Id, SettlementAccounts.BankClearing.Id, 450, LedgerAssets.Gbp, 2013, TransferFlags.VoidPending,
            FlowIds.LedgerTransfer(PayoutId, "payout-reserve")));
    }

    [Fact]
    public async Task Advance_BankPaymentPending_WaitsInAwaitingBankUntilItCompletes()
    {
        Bank.PayoutStatus = BankPaymentStatus.Pending;
        Balances.Units[MerchantId] = 5_000_000;
        (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().State.ShouldBe(PayoutFlowState.AwaitingBank);
        var waiting = (await Runner().GetAsync(PayoutId))!;

        (await Runner().AdvanceAsync(PayoutId)).ShouldBe(waiting);

        Bank.Set(BankOperationId, BankPaymentStatus.Completed);
        (await Runner().AdvanceAsync(PayoutId))!.State.ShouldBe("Paid");
    }

    /// <summary>A chain whose burn reverts with no reason given.</summary>
    private sealed class SilentRevertChain : IChainActions
    {
        public Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken) =>
            Task.FromResult(new ChainActionResult(ChainActionStatus.Reverted, "", 0, null, null));
    }
}

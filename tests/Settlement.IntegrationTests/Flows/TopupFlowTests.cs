using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.IntegrationTests.Flows;

public sealed class TopupFlowTests : FlowTestBase
{
    private static readonly Settlement.Service.Ledger.Account User = SettlementAccounts.UserFunds(UserId);

    [Fact]
    public async Task StartTopup_CompletedFundedConfirmed_LedgerAsTheModelSays()
    {
        var request = Topup(pence: 2_500);
        var start = await Runner().StartTopupAsync(request);

        start.Accepted.ShouldBeTrue();
        start.Created.ShouldBeTrue();
        var flow = start.Flow!;
        flow.State.ShouldBe(TopupFlowState.Funded);
        flow.IsFinished.ShouldBeTrue();
        flow.Funding!.TransactionHash.ShouldBe(FakeChainActions.HashOf(FlowIds.ChainStep(request.FlowId, "fund-chain")));
        flow.Funding.ChannelId.ShouldNotBeNull();

        Bank.Payments.ShouldHaveSingleItem().ShouldBe(new FakeBank.Payment(flow.BankOperationId, "topup", 2_500, null, BankPaymentStatus.Completed));
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"open {Payer}->{Payee} 25000000");
        Confirmations.Asked[flow.Funding.TransactionHash].ShouldBe(ChainEventKind.ChannelOpened);

        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-2_500, 0, 0));
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_500, 0, 0));
        await AssertLedgerSoundAsync();

        var history = await Runner().GetHistoryAsync(flow.Id);
        history.Select(h => h.ToState).ShouldBe(["Created", "AwaitingBank", "Credited", "FundingReserved", "AwaitingConfirmation", "Funded"]);
        history.Select(h => h.Version).ShouldBe([1L, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public async Task StartTopup_ExistingChannel_TopsItUpAndWaitsForChannelToppedUp()
    {
        var channel = "0x" + new string('c', 64);
        var flow = (await Runner().StartTopupAsync(Topup(pence: 300, channelId: channel))).Flow!;

        flow.State.ShouldBe(TopupFlowState.Funded);
        flow.Funding!.ChannelId.ShouldBe(channel);
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"topup {channel} 3000000");
        Confirmations.Asked[flow.Funding.TransactionHash].ShouldBe(ChainEventKind.ChannelToppedUp);
    }

    [Fact]
    public async Task Advance_NotConfirmedYet_WaitsWithTheFundingPendingThenPostsWhenConfirmed()
    {
        Confirmations.ConfirmAll = false;
        var flow = (await Runner().StartTopupAsync(Topup(pence: 700))).Flow!;

        flow.State.ShouldBe(TopupFlowState.AwaitingConfirmation);
        flow.IsFinished.ShouldBeFalse();
        (await BalanceAsync(User)).ShouldBe((700, 700, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((0, 0, 700));
        (await Runner().AdvanceAsync(flow.Id))!.State.ShouldBe("AwaitingConfirmation");

        Confirmations.Confirm(flow.Funding!.TransactionHash);
        (await Runner().ResumeAllAsync()).ShouldHaveSingleItem().State.ShouldBe("Funded");
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((700, 0, 0));
        Chain.Transactions.Count.ShouldBe(1);
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task Advance_BankPending_WaitsWithoutTouchingTheLedgerThenContinues()
    {
        Bank.TopupStatus = BankPaymentStatus.Pending;
        var flow = (await Runner().StartTopupAsync(Topup())).Flow!;

        flow.State.ShouldBe(TopupFlowState.AwaitingBank);
        flow.AuthorizationUrl.ShouldNotBeNull();
        (await JournalEntriesAsync()).ShouldBe(0);
        Chain.Transactions.ShouldBeEmpty();

        Bank.Set(flow.BankOperationId, BankPaymentStatus.Completed);
        (await Runner().AdvanceAsync(flow.Id))!.State.ShouldBe("Funded");
        Bank.Payments.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(BankPaymentStatus.Rejected)]
    [InlineData(BankPaymentStatus.Failed)]
    public async Task StartTopup_BankRejects_FundsNothing(BankPaymentStatus status)
    {
        Bank.TopupStatus = status;
        var flow = (await Runner().StartTopupAsync(Topup())).Flow!;

        flow.State.ShouldBe(TopupFlowState.Rejected);
        flow.IsFinished.ShouldBeTrue();
        flow.Problem!.Code.ShouldBe("bank-" + status.ToString().ToLowerInvariant());
        Chain.Transactions.ShouldBeEmpty();
        (await JournalEntriesAsync()).ShouldBe(0);
        (await Runner().ListAsync(unfinishedOnly: true)).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartTopup_ChainReverts_VoidsTheReservationAndTheMoneyStaysWithTheUser()
    {
        Chain.Revert = true;
        var flow = (await Runner().StartTopupAsync(Topup(pence: 900))).Flow!;

        flow.State.ShouldBe(TopupFlowState.FundingFailed);
        flow.NeedsAttention.ShouldBeTrue();
        flow.Problem!.ShouldBe(new FlowProblem("chain-reverted", "execution reverted: insufficient allowance"));
        (await BalanceAsync(User)).ShouldBe((900, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RecordBankReturn_BeforeFunding_ReversesTheCreditAndReportsIt()
    {
        var request = Topup(pence: 1_200);
        var crash = Runner(async (c, _) =>
        {
            await Task.CompletedTask;
            if (c.Name == "saved:Credited")
            {
                throw new SimulatedFlowCrashException(c.Name);
            }
        });
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => crash.StartTopupAsync(request));
        (await Runner().GetTopupAsync(request.FlowId))!.State.ShouldBe(TopupFlowState.Credited);

        var returned = await Runner().RecordBankReturnAsync(request.FlowId, "AC04 account closed");

        returned.Outcome.ShouldBe(BankReturnOutcome.Recorded);
        returned.Flow!.State.ShouldBe("Reversed");
        returned.Flow.Finished.ShouldBeTrue();
        returned.Flow.NeedsAttention.ShouldBeTrue();
        Chain.Transactions.ShouldBeEmpty();
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
        (await Runner().GetHistoryAsync(request.FlowId)).Select(h => h.Event).ShouldContain("bank-returned");
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RecordBankReturn_AfterFundingFailed_ReversesTheUsersFunds()
    {
        Chain.Revert = true;
        var flow = (await Runner().StartTopupAsync(Topup(pence: 400))).Flow!;

        var returned = await Runner().RecordBankReturnAsync(flow.Id, "MD06 refund");

        returned.Flow!.State.ShouldBe("Reversed");
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((0, 0, 0));
    }

    [Fact]
    public async Task RecordBankReturn_AfterFunding_EndsInReturnedAfterFundingReportedAndTheLedgerKept()
    {
        var flow = (await Runner().StartTopupAsync(Topup(pence: 2_000))).Flow!;

        var returned = await Runner().RecordBankReturnAsync(flow.Id, "MD06 refund");

        returned.Outcome.ShouldBe(BankReturnOutcome.Recorded);
        var after = (await Runner().GetTopupAsync(flow.Id))!;
        after.State.ShouldBe(TopupFlowState.ReturnedAfterFunding);
        after.NeedsAttention.ShouldBeTrue();
        after.Problem!.Code.ShouldBe("returned-after-funding");
        after.Return!.Reason.ShouldBe("MD06 refund");
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_000, 0, 0));
        (await Runner().ListAsync()).ShouldHaveSingleItem().NeedsAttention.ShouldBeTrue();
    }

    [Fact]
    public async Task RecordBankReturn_Refusals_ExactOutcomeAndNothingChanged()
    {
        (await Runner().RecordBankReturnAsync(Guid.NewGuid(), "x")).ShouldBe(new BankReturnResult(BankReturnOutcome.NotFound, null));

        Bank.TopupStatus = BankPaymentStatus.Rejected;
        var rejected = (await Runner().StartTopupAsync(Topup())).Flow!;
        var notReturnable = await Runner().RecordBankReturnAsync(rejected.Id, "x");
        notReturnable.Outcome.ShouldBe(BankReturnOutcome.NotReturnable);
        (await Runner().GetTopupAsync(rejected.Id)).ShouldBe(rejected);

        Bank.TopupStatus = BankPaymentStatus.Completed;
        var funded = (await Runner().StartTopupAsync(Topup())).Flow!;
        await Runner().RecordBankReturnAsync(funded.Id, "first");
        var before = await Runner().GetTopupAsync(funded.Id);
        var again = await Runner().RecordBankReturnAsync(funded.Id, "second");
        again.Outcome.ShouldBe(BankReturnOutcome.AlreadyRecorded);
        (await Runner().GetTopupAsync(funded.Id)).ShouldBe(before);
        before!.Return!.Reason.ShouldBe("first");
    }

    [Fact]
    public async Task StartTopup_SameIdAgain_ReturnsTheSameFlowWithoutASecondPayment()
    {
        var request = Topup();
        var first = await Runner().StartTopupAsync(request);
        var second = await Runner().StartTopupAsync(request);

        second.Accepted.ShouldBeTrue();
        second.Created.ShouldBeFalse();
        second.Flow.ShouldBe(first.Flow);
        Bank.Payments.Count.ShouldBe(1);
        Chain.Transactions.Count.ShouldBe(1);
    }

    [Fact]
    public async Task StartTopup_SameIdOtherParameters_RefusedAndTheStoredFlowUnchanged()
    {
        var request = Topup(pence: 500);
        var first = (await Runner().StartTopupAsync(request)).Flow!;
        var entries = await JournalEntriesAsync();

        var other = await Runner().StartTopupAsync(request with { AmountPence = 501 });

        other.Accepted.ShouldBeFalse();
        other.Refusal.ShouldBe(TopupRefusal.ExistsWithDifferentParameters);
        other.Flow.ShouldBe(first);
        (await Runner().GetTopupAsync(request.FlowId)).ShouldBe(first);
        (await JournalEntriesAsync()).ShouldBe(entries);
        Bank.Payments.Count.ShouldBe(1);
    }

    public static TheoryData<string, Func<TopupRequest, TopupRequest>, TopupRefusal> BadRequests => new()
    {
        { "empty id", r => r with { FlowId = Guid.Empty }, TopupRefusal.FlowIdEmpty },
        { "empty user", r => r with { UserId = " " }, TopupRefusal.UserIdInvalid },
        { "long user", r => r with { UserId = new string('u', 101) }, TopupRefusal.UserIdInvalid },
        { "no bank", r => r with { Bank = "" }, TopupRefusal.BankMissing },
        { "zero", r => r with { AmountPence = 0 }, TopupRefusal.AmountNotPositive },
        { "negative", r => r with { AmountPence = -5 }, TopupRefusal.AmountNotPositive },
        { "payer", r => r with { PayerAddress = "0x12" }, TopupRefusal.PayerAddressInvalid },
        { "payee", r => r with { PayeeAddress = "merchant" }, TopupRefusal.PayeeAddressInvalid },
        { "channel", r => r with { ChannelId = "0x" + new string('g', 64) }, TopupRefusal.ChannelIdInvalid },
        { "short channel", r => r with { ChannelId = "0xabc" }, TopupRefusal.ChannelIdInvalid },
        { "reference", r => r with { Reference = new string('r', 36) }, TopupRefusal.ReferenceTooLong },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task StartTopup_BadRequest_RefusedWithTheExactReasonAndNothingStoredOrSent(string why, Func<TopupRequest, TopupRequest> spoil, TopupRefusal expected)
    {
        var result = await Runner().StartTopupAsync(spoil(Topup()));

        result.Refusal.ShouldBe(expected, why);
        result.Flow.ShouldBeNull();
        result.Detail.ShouldNotBeNullOrEmpty();
        (await Runner().ListAsync()).ShouldBeEmpty();
        Bank.StartCalls.ShouldBe(0);
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task StartTopup_IdOfAPayout_RefusedAsOtherKind()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var batch = await Runner().RunPayoutBatchAsync();
        var payoutId = batch.Items.ShouldHaveSingleItem().FlowId!.Value;
        var before = await Runner().GetPayoutAsync(payoutId);

        var result = await Runner().StartTopupAsync(Topup(payoutId));

        result.Refusal.ShouldBe(TopupRefusal.ExistsAsOtherKind);
        (await Runner().GetPayoutAsync(payoutId)).ShouldBe(before);
    }
}

using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// Edges of the top-up flow a mutation run left open: the refusals' exact texts and that none claims to have created
/// anything, the boundaries of the request checks, every bank answer with and without a detail, every ledger refusal
/// the flow stops on, and a repeat that resumes an unfinished top-up. Bank and chain are scripted per test.
/// </summary>
public sealed class TopupFlowEdgeTests : FlowTestBase
{
    private static readonly Account User = SettlementAccounts.UserFunds(UserId);
    private static readonly string Channel = "0x" + new string('c', 64);

    private readonly ScriptedBank _bank = new();
    private readonly ScriptedChain _chain = new();

    private SettlementFlows Scripted() => new(Stored, Stored, _bank, _chain, Confirmations, Balances, Payouts, Clock, sweeps: Sweeps, consents: Stored);

    /// <summary>A runner (fake bank and chain) that crashes right after the flow saved <paramref name="state"/>.</summary>
    private SettlementFlows CrashingAfter(string state) => Runner(async (c, _) =>
    {
        await Task.CompletedTask;
        if (c.Name == "saved:" + state)
        {
            throw new SimulatedFlowCrashException(c.Name);
        }
    });

    private void RefuseInLedger(Guid flowId, string step, CreateTransferResult result)
    {
        var id = FlowIds.LedgerTransfer(flowId, step);
        Stored.Refuse = t => t.Id == id ? result : null;
    }

    [Fact]
    public async Task StartTopup_Null_ThrowsForTheRequest()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().StartTopupAsync(null!))).ParamName.ShouldBe("request");
    }

    public static TheoryData<string, Func<TopupRequest, TopupRequest>, TopupRefusal, string> Refusals => new()
    {
        { "long user", r => r with { UserId = new string('u', 101) }, TopupRefusal.UserIdInvalid, "the user id must be 1 to 100 characters" },
        { "no bank", r => r with { Bank = " " }, TopupRefusal.BankMissing, "no bank named" },
        { "zero", r => r with { AmountPence = 0 }, TopupRefusal.AmountNotPositive, "amount 0p is not positive" },
        { "payer", r => r with { PayerAddress = "0x12" }, TopupRefusal.PayerAddressInvalid, "payer '0x12' is not an address" },
        { "consent", r => r with { SweepingConsentId = "c-1" }, TopupRefusal.SweepingConsentGiven, "a recharge under a sweeping consent starts through the recharge endpoint" },
        { "channel without 0x", r => r with { ChannelId = "00" + new string('a', 64) }, TopupRefusal.ChannelIdInvalid, $"channel id '00{new string('a', 64)}' is not 0x + 64 hex digits" },
        { "reference 19", r => r with { Reference = new string('r', 19) }, TopupRefusal.ReferenceTooLong, "the reference is longer than 18 characters (Faster Payments)" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task StartTopup_Refused_NotCreatedWithTheExactDetail(string why, Func<TopupRequest, TopupRequest> spoil, TopupRefusal refusal, string detail)
    {
        var result = await Runner().StartTopupAsync(spoil(Topup()));

        result.ShouldBe(new TopupStart(null, false, refusal, detail), why);
        (await Runner().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartTopup_AtTheLimits_AcceptedAndTheReferenceSentToTheBank()
    {
        var user = new string('u', 100);
        var reference = new string('r', 18);
        _bank.Status = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Completed);
        var request = Topup(pence: 250) with { UserId = user, Reference = reference };

        var start = await Scripted().StartTopupAsync(request);

        start.Refusal.ShouldBeNull();
        start.Flow!.State.ShouldBe(TopupFlowState.Funded);
        start.Flow.Request.Reference.ShouldBe(reference);
        _bank.Topups.ShouldBe([new BankTopup(FlowIds.BankOperation(request.FlowId, "bank-topup"), "sandbox", 250, reference)]);
        (await BalanceAsync(SettlementAccounts.UserFunds(user))).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((250, 0, 0));
    }

    [Fact]
    public async Task StartTopup_NoReference_TheDefaultStoredAndSentUnderTheTopupOperationId()
    {
        var request = Topup(pence: 300);

        _bank.Status = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Completed);

        var flow = (await Scripted().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Funded);
        flow.Request.Reference.ShouldBe("l2pay top-up");
        flow.BankOperationId.ShouldBe(FlowIds.BankOperation(request.FlowId, "bank-topup"));
        _bank.Topups.ShouldBe([new BankTopup(FlowIds.BankOperation(request.FlowId, "bank-topup"), "sandbox", 300, "l2pay top-up")]);
    }

    [Fact]
    public async Task StartTopup_IdOfAPayout_NotCreatedAndNamesTheKind()
    {
        Balances.Units[MerchantId] = 5_000_000;
        var payoutId = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem().FlowId!.Value;

        var result = await Runner().StartTopupAsync(Topup(payoutId));

        result.ShouldBe(new TopupStart(null, false, TopupRefusal.ExistsAsOtherKind, $"flow {payoutId:N} is a Payout"));
    }

    [Fact]
    public async Task StartTopup_SameIdOtherParameters_NotCreatedWithTheDetail()
    {
        var request = Topup(pence: 500);
        var first = (await Runner().StartTopupAsync(request)).Flow!;

        var other = await Runner().StartTopupAsync(request with { AmountPence = 501 });

        other.ShouldBe(new TopupStart(first, false, TopupRefusal.ExistsWithDifferentParameters, $"top-up {request.FlowId:N} exists with other parameters"));
    }

    [Fact]
    public async Task StartTopup_RepeatOfAnUnfinishedTopup_NotCreatedAndAdvancedFurther()
    {
        Bank.TopupStatus = BankPaymentStatus.Pending;
        var request = Topup(pence: 800);
        var first = await Runner().StartTopupAsync(request);
        first.Flow!.State.ShouldBe(TopupFlowState.AwaitingBank);

        Bank.Set(first.Flow.BankOperationId, BankPaymentStatus.Completed);
        var again = await Runner().StartTopupAsync(request);

        again.Created.ShouldBeFalse();
        again.Refusal.ShouldBeNull();
        again.Flow!.State.ShouldBe(TopupFlowState.Funded);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((800, 0, 0));
        Bank.StartCalls.ShouldBe(1);
    }

    [Theory]
    [InlineData("other parameters", "other parameters")]
    [InlineData(null, "conflict")]
    public async Task StartTopup_BankConflictAtTheStart_RefusedWithTheBanksDetailOrConflict(string? detail, string expected)
    {
        _bank.Start = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Conflict, Detail: detail);

        var flow = (await Scripted().StartTopupAsync(Topup())).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("bank-conflict", expected));
        (await Runner().GetHistoryAsync(flow.Id)).Select(h => (h.ToState, h.Event, h.Detail)).ShouldBe([("Created", "created", null), ("Refused", "bank-conflict", expected)]);
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData(BankPaymentStatus.Rejected, "RJCT AM04", "bank-rejected", "RJCT AM04")]
    [InlineData(BankPaymentStatus.Rejected, null, "bank-rejected", "Rejected")]
    [InlineData(BankPaymentStatus.Failed, null, "bank-failed", "Failed")]
    [InlineData(BankPaymentStatus.Conflict, "other payment", "bank-conflict", "other payment")]
    [InlineData(BankPaymentStatus.Conflict, null, "bank-conflict", "conflict")]
    public async Task Advance_BankAnswersAfterWaiting_StoppedWithTheExactProblem(BankPaymentStatus status, string? detail, string code, string expected)
    {
        var flow = (await Scripted().StartTopupAsync(Topup())).Flow!;
        flow.State.ShouldBe(TopupFlowState.AwaitingBank);
        _bank.Status = new BankPaymentResult(Guid.Empty, status, Detail: detail);

        (await Scripted().AdvanceAsync(flow.Id))!.State.ShouldBe(status == BankPaymentStatus.Conflict ? "Refused" : "Rejected");

        (await Runner().GetTopupAsync(flow.Id))!.Problem.ShouldBe(new FlowProblem(code, expected));
        _bank.StatusReads.ShouldBe([flow.BankOperationId, flow.BankOperationId]); // once while starting (pending), once now
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Advance_CreditRefusedByTheLedger_RefusedWithTheResult()
    {
        var request = Topup(pence: 600);
        RefuseInLedger(request.FlowId, "credit", CreateTransferResult.ExceedsDebits);

        var flow = (await Runner().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "credit: ExceedsDebits"));
        Chain.Transactions.ShouldBeEmpty();
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
    }

    [Fact]
    public async Task Advance_ReservationRefusedByTheLedger_RefusedAndTheChainNotCalled()
    {
        var request = Topup(pence: 600);
        RefuseInLedger(request.FlowId, "fund-reserve", CreateTransferResult.ExceedsCredits);

        var flow = (await Runner().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "funding reservation: ExceedsCredits"));
        Chain.Transactions.ShouldBeEmpty();
        (await BalanceAsync(User)).ShouldBe((600, 0, 0));
    }

    [Fact]
    public async Task Advance_RevertedWithoutAnError_FundingFailedWithTheDefaultDetail()
    {
        _bank.Status = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Completed);
        _chain.Result = new ChainActionResult(ChainActionStatus.Reverted, "0x" + new string('b', 64), 9, null, null);

        var flow = (await Scripted().StartTopupAsync(Topup(pence: 400))).Flow!;

        flow.State.ShouldBe(TopupFlowState.FundingFailed);
        flow.Problem.ShouldBe(new FlowProblem("chain-reverted", "the funding transaction reverted"));
        (await BalanceAsync(User)).ShouldBe((400, 0, 0));
    }

    [Fact]
    public async Task Advance_RevertedAndTheVoidRefused_RefusedWithTheResult()
    {
        Chain.Revert = true;
        var request = Topup(pence: 400);
        RefuseInLedger(request.FlowId, "fund-void", CreateTransferResult.PendingTransferExpired);

        var flow = (await Runner().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "funding void: PendingTransferExpired"));
        (await BalanceAsync(User)).ShouldBe((400, 400, 0));
    }

    [Fact]
    public async Task Advance_ConfirmedAndThePostRefused_RefusedWithTheResult()
    {
        var request = Topup(pence: 400);
        RefuseInLedger(request.FlowId, "fund-post", CreateTransferResult.PendingTransferAlreadyVoided);

        var flow = (await Runner().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("ledger-refused", "funding post: PendingTransferAlreadyVoided"));
        flow.Funding.ShouldNotBeNull();
    }

    [Fact]
    public async Task Advance_ChainAnswersNoChannel_TheRequestsChannelKept()
    {
        _bank.Status = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Completed);
        var request = Topup(pence: 300, channelId: Channel.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal));

        var flow = (await Scripted().StartTopupAsync(request)).Flow!;

        flow.State.ShouldBe(TopupFlowState.Funded);
        flow.Funding.ShouldBe(new ChainStep("0x" + new string('a', 64), 7, Channel));
        _chain.Calls.ShouldBe([$"topup {FlowIds.ChainStep(request.FlowId, "fund-chain")} {Channel} 3000000"]);
    }

    [Fact]
    public async Task Advance_ChainAnswersAChannel_ThatChannelRecordedLowerCase()
    {
        _bank.Status = new BankPaymentResult(Guid.Empty, BankPaymentStatus.Completed);
        _chain.Result = new ChainActionResult(ChainActionStatus.Mined, "0x" + new string('A', 64), 8, "0x" + new string('D', 64), null);

        var flow = (await Scripted().StartTopupAsync(Topup(pence: 300, channelId: Channel))).Flow!;

        flow.Funding.ShouldBe(new ChainStep("0x" + new string('a', 64), 8, "0x" + new string('d', 64)));
    }

    [Fact]
    public async Task RecordBankReturn_CreditedButTheReservationAlreadyPosted_ReturnedAfterFundingAndNotReversed()
    {
        var request = Topup(pence: 1_200);
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => CrashingAfter("Credited").StartTopupAsync(request));
        RefuseInLedger(request.FlowId, "fund-void", CreateTransferResult.PendingTransferAlreadyPosted);

        var returned = await Runner().RecordBankReturnAsync(request.FlowId, "AC04 account closed");

        returned.Flow!.State.ShouldBe("ReturnedAfterFunding");
        var flow = (await Runner().GetTopupAsync(request.FlowId))!;
        flow.Problem.ShouldBe(new FlowProblem("returned-after-funding", "the funding was posted before the return"));
        Stored.Asked.Select(t => t.Id).ShouldNotContain(FlowIds.LedgerTransfer(request.FlowId, "return-reversal"));
        (await BalanceAsync(User)).ShouldBe((1_200, 0, 0));
    }

    [Fact]
    public async Task RecordBankReturn_AfterFunding_TheProblemNamesTheReturnsReason()
    {
        var flow = (await Runner().StartTopupAsync(Topup(pence: 2_000))).Flow!;

        await Runner().RecordBankReturnAsync(flow.Id, "MD06 refund");

        (await Runner().GetTopupAsync(flow.Id))!.Problem.ShouldBe(
            new FlowProblem("returned-after-funding", "the bank returned a top-up already put into a channel: MD06 refund"));
    }

    [Fact]
    public async Task RecordBankReturn_TheUsersFundsNoLongerHoldIt_ReturnedAfterFundingWithTheReason()
    {
        Chain.Revert = true;
        var request = Topup(pence: 400);
        (await Runner().StartTopupAsync(request)).Flow!.State.ShouldBe(TopupFlowState.FundingFailed);
        RefuseInLedger(request.FlowId, "return-reversal", CreateTransferResult.ExceedsCredits);

        (await Runner().RecordBankReturnAsync(request.FlowId, "MD06 refund")).Flow!.State.ShouldBe("ReturnedAfterFunding");

        (await Runner().GetTopupAsync(request.FlowId))!.Problem.ShouldBe(new FlowProblem("returned-after-funding", "the user's funds no longer hold the returned amount"));
        (await BalanceAsync(User)).ShouldBe((400, 0, 0));
    }

    [Fact]
    public async Task RecordBankReturn_ReversalRefusedOtherwise_RefusedWithTheResult()
    {
        Chain.Revert = true;
        var request = Topup(pence: 400);
        await Runner().StartTopupAsync(request);
        RefuseInLedger(request.FlowId, "return-reversal", CreateTransferResult.ExistsWithDifferentAmount);

        (await Runner().RecordBankReturnAsync(request.FlowId, "MD06 refund")).Flow!.State.ShouldBe("Refused");

        (await Runner().GetTopupAsync(request.FlowId))!.Problem.ShouldBe(new FlowProblem("ledger-refused", "return reversal: ExistsWithDifferentAmount"));
        (await BalanceAsync(User)).ShouldBe((400, 0, 0));
    }
}

using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// Recharges over the real SQLite ledger, flow and consent store with a fake sweeping bank: every transition, every
/// refusal with its exact reason and nothing stored, sent or booked after it.
/// </summary>
public sealed class RechargeFlowTests : FlowTestBase
{
    private const string ConsentId = "vrp-consent-1";
    private static readonly string Channel = "0x" + new string('c', 64);
    private static readonly Settlement.Service.Ledger.Account User = SettlementAccounts.UserFunds(UserId);

    internal static SweepingConsent Consent(string id = ConsentId) => new()
    {
        ConsentId = id, UserId = UserId, Bank = "sandbox", PayerAddress = Payer, PayeeAddress = Payee, ChannelId = Channel,
        MaxPerPaymentPence = 2_000, MaxPerPeriodPence = 5_000, PeriodType = SweepPeriodType.Day, PeriodAlignment = SweepPeriodAlignment.Calendar,
        ValidFrom = T0.AddDays(-1), ValidTo = T0.AddDays(30),
    };

    private static RechargeRequest Recharge(string key = "k1", long pence = 1_500) => new() { ConsentId = ConsentId, IdempotencyKey = key, AmountPence = pence };

    private async Task<SettlementFlows> RegisteredAsync(SweepingConsent? consent = null)
    {
        var runner = Runner();
        (await runner.RegisterSweepingConsentAsync(consent ?? Consent())).Outcome.ShouldBe(SweepingConsentOutcome.Registered);
        return Runner();
    }

    [Fact]
    public async Task StartRecharge_SweepCompleted_TopsUpTheConsentsChannelAndBooksARecharge()
    {
        var runner = await RegisteredAsync();

        var start = await runner.StartRechargeAsync(Recharge(pence: 1_500));

        start.Accepted.ShouldBeTrue();
        start.Created.ShouldBeTrue();
        var flow = start.Flow!;
        flow.Id.ShouldBe(FlowIds.Recharge(ConsentId, "k1"));
        flow.Kind.ShouldBe(FlowKind.Recharge);
        flow.State.ShouldBe(TopupFlowState.Funded);
        flow.AuthorizationUrl.ShouldBeNull();
        flow.BankOperationId.ShouldBe(FlowIds.BankOperation(flow.Id, "bank-sweep"));
        Sweeps.Sweeps.ShouldHaveSingleItem().ShouldBe(new FakeSweeps.Sweep(
            new BankSweep(flow.BankOperationId, "sandbox", ConsentId, 1_500, "l2pay recharge"), BankPaymentStatus.Completed, null));
        Bank.StartCalls.ShouldBe(0);
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"topup {Channel} 15000000");
        Confirmations.Asked[flow.Funding!.TransactionHash].ShouldBe(ChainEventKind.ChannelToppedUp);

        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-1_500, 0, 0));
        (await BalanceAsync(User)).ShouldBe((0, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((1_500, 0, 0));
        var credit = (await Store().LookupTransfersAsync([FlowIds.LedgerTransfer(flow.Id, "credit")])).ShouldHaveSingleItem();
        credit.Transfer.Code.ShouldBe((ushort)SettlementTransferCode.RechargeReceived);
        await AssertLedgerSoundAsync();

        (await runner.GetHistoryAsync(flow.Id)).Select(h => (h.ToState, h.Event)).ShouldBe(
        [
            ("Created", "created"), ("AwaitingBank", "sweep-submitted"), ("Credited", "bank-completed"), ("FundingReserved", "funding-reserved"),
            ("AwaitingConfirmation", "funding-mined"), ("Funded", "funding-confirmed"),
        ]);
        (await runner.ListAsync(FlowKind.Recharge)).ShouldHaveSingleItem().Kind.ShouldBe(FlowKind.Recharge);
        (await runner.GetTopupAsync(flow.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task StartRecharge_SameKeyAgain_TheSameFlowAndNoSecondSweepEvenWithThePeriodUsedUp()
    {
        var runner = await RegisteredAsync();
        var first = await runner.StartRechargeAsync(Recharge("k1", 2_000));
        await runner.StartRechargeAsync(Recharge("k2", 2_000));
        await runner.StartRechargeAsync(Recharge("k3", 1_000));

        var again = await Runner().StartRechargeAsync(Recharge("k1", 2_000));

        again.Accepted.ShouldBeTrue();
        again.Created.ShouldBeFalse();
        again.Flow.ShouldBe(first.Flow);
        Sweeps.Sweeps.Count.ShouldBe(3);
        Chain.Transactions.Count.ShouldBe(3);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((5_000, 0, 0));
    }

    [Fact]
    public async Task StartRecharge_SameKeyOtherAmount_RefusedAndTheStoredFlowUnchanged()
    {
        var runner = await RegisteredAsync();
        var first = (await runner.StartRechargeAsync(Recharge("k1", 500))).Flow!;
        var entries = await JournalEntriesAsync();

        var other = await Runner().StartRechargeAsync(Recharge("k1", 501));

        other.Refusal.ShouldBe(RechargeRefusal.ExistsWithDifferentParameters);
        other.Flow.ShouldBe(first);
        (await Runner().GetRechargeAsync(first.Id)).ShouldBe(first);
        (await JournalEntriesAsync()).ShouldBe(entries);
        Sweeps.StartCalls.ShouldBe(1);
    }

    public static TheoryData<string, Func<RechargeRequest, RechargeRequest>, long, RechargeRefusal> BadRecharges => new()
    {
        { "empty key", r => r with { IdempotencyKey = "" }, 0, RechargeRefusal.IdempotencyKeyInvalid },
        { "long key", r => r with { IdempotencyKey = new string('k', 201) }, 0, RechargeRefusal.IdempotencyKeyInvalid },
        { "unknown consent", r => r with { ConsentId = "other" }, 0, RechargeRefusal.ConsentUnknown },
        { "empty consent", r => r with { ConsentId = "" }, 0, RechargeRefusal.ConsentUnknown },
        { "other channel", r => r with { ChannelId = "0x" + new string('d', 64) }, 0, RechargeRefusal.ChannelMismatch },
        { "zero", r => r with { AmountPence = 0 }, 0, RechargeRefusal.AmountNotPositive },
        { "negative", r => r with { AmountPence = -1 }, 0, RechargeRefusal.AmountNotPositive },
        { "per payment", r => r with { AmountPence = 2_001 }, 0, RechargeRefusal.OverPaymentLimit },
        { "not yet valid", r => r, -2, RechargeRefusal.ConsentNotYetValid },
        { "expired", r => r, 30, RechargeRefusal.ConsentExpired },
    };

    [Theory]
    [MemberData(nameof(BadRecharges))]
    public async Task StartRecharge_Refused_ExactReasonNothingStoredSentOrBooked(string why, Func<RechargeRequest, RechargeRequest> spoil, long daysFromNow, RechargeRefusal expected)
    {
        await RegisteredAsync();
        Clock.Advance(TimeSpan.FromDays(Math.Max(daysFromNow, 0)));
        var runner = daysFromNow < 0 ? await RegisteredWithStartAsync(T0.AddDays(-daysFromNow)) : Runner();
        var consentId = daysFromNow < 0 ? "future" : ConsentId;

        var result = await runner.StartRechargeAsync(spoil(Recharge() with { ConsentId = consentId }));

        result.Refusal.ShouldBe(expected, why);
        result.Flow.ShouldBeNull();
        result.Detail.ShouldNotBeNullOrEmpty();
        (await Runner().ListAsync()).ShouldBeEmpty();
        Sweeps.StartCalls.ShouldBe(0);
        Chain.Transactions.ShouldBeEmpty();
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task StartRecharge_OverThePeriodLimit_RefusedUntilTheNextPeriod()
    {
        var runner = await RegisteredAsync();
        (await runner.StartRechargeAsync(Recharge("a", 2_000))).Flow!.State.ShouldBe(TopupFlowState.Funded);
        (await runner.StartRechargeAsync(Recharge("b", 2_000))).Flow!.State.ShouldBe(TopupFlowState.Funded);
        (await runner.GetSweptInPeriodAsync(Consent(), Clock.GetUtcNow())).ShouldBe(4_000);

        var over = await runner.StartRechargeAsync(Recharge("c", 1_001));

        over.Refusal.ShouldBe(RechargeRefusal.OverPeriodLimit);
        over.Detail.ShouldBe("1001p is above the 1000p left of the consent's 5000p per Day");
        (await runner.GetRechargeAsync(FlowIds.Recharge(ConsentId, "c"))).ShouldBeNull();
        (await runner.StartRechargeAsync(Recharge("d", 1_000))).Accepted.ShouldBeTrue();
        (await runner.StartRechargeAsync(Recharge("e", 1))).Refusal.ShouldBe(RechargeRefusal.OverPeriodLimit);
        Sweeps.StartCalls.ShouldBe(3);

        Clock.Advance(TimeSpan.FromHours(12)); // 00:00 next day (calendar, UTC)
        (await runner.GetSweptInPeriodAsync(Consent(), Clock.GetUtcNow())).ShouldBe(0);
        (await runner.StartRechargeAsync(Recharge("e", 1))).Flow!.State.ShouldBe(TopupFlowState.Funded);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((5_001, 0, 0));
    }

    public static TheoryData<BankSweepRefusal, string> BankRefusals => new()
    {
        { BankSweepRefusal.ConsentRevoked, "sweep-consent-revoked" },
        { BankSweepRefusal.ConsentNotAuthorised, "sweep-consent-not-authorised" },
        { BankSweepRefusal.ConsentExpired, "sweep-consent-expired" },
        { BankSweepRefusal.ConsentUnknown, "sweep-consent-unknown" },
        { BankSweepRefusal.PerPaymentLimit, "sweep-per-payment-limit" },
        { BankSweepRefusal.PeriodLimit, "sweep-period-limit" },
        { BankSweepRefusal.InsufficientFunds, "sweep-insufficient-funds" },
        { BankSweepRefusal.Other, "sweep-rejected" },
    };

    [Theory]
    [MemberData(nameof(BankRefusals))]
    public async Task StartRecharge_BankRefusesTheSweep_RejectedWithItsReasonAndNoLedgerChange(BankSweepRefusal refusal, string code)
    {
        var runner = await RegisteredAsync();
        Sweeps.Status = BankPaymentStatus.Rejected;
        Sweeps.Refusal = refusal;

        var flow = (await runner.StartRechargeAsync(Recharge(pence: 2_000))).Flow!;

        flow.State.ShouldBe(TopupFlowState.Rejected);
        flow.IsFinished.ShouldBeTrue();
        flow.Problem.ShouldBe(new FlowProblem(code, "refused by the bank: " + refusal));
        Chain.Transactions.ShouldBeEmpty();
        (await JournalEntriesAsync()).ShouldBe(0);
        (await runner.ListAsync(unfinishedOnly: true)).ShouldBeEmpty();
        (await runner.GetHistoryAsync(flow.Id)).Select(h => h.ToState).ShouldBe(["Created", "Rejected"]);

        // A refused sweep does not count against the period.
        (await runner.GetSweptInPeriodAsync(Consent(), Clock.GetUtcNow())).ShouldBe(0);
    }

    [Fact]
    public async Task Advance_SweepPending_WaitsWithoutTouchingTheLedgerThenContinues()
    {
        var runner = await RegisteredAsync();
        Sweeps.Status = BankPaymentStatus.Pending;
        var flow = (await runner.StartRechargeAsync(Recharge())).Flow!;

        flow.State.ShouldBe(TopupFlowState.AwaitingBank);
        (await JournalEntriesAsync()).ShouldBe(0);
        (await Runner().AdvanceAsync(flow.Id))!.State.ShouldBe("AwaitingBank");

        Sweeps.Set(flow.BankOperationId, BankPaymentStatus.Completed);
        (await Runner().ResumeAllAsync()).ShouldHaveSingleItem().State.ShouldBe("Funded");
        Sweeps.StartCalls.ShouldBe(1);
        Chain.Transactions.Count.ShouldBe(1);
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task Advance_SweepPendingThenRefused_RejectedWithTheReason()
    {
        var runner = await RegisteredAsync();
        Sweeps.Status = BankPaymentStatus.Pending;
        var flow = (await runner.StartRechargeAsync(Recharge())).Flow!;

        Sweeps.Set(flow.BankOperationId, BankPaymentStatus.Failed, BankSweepRefusal.ConsentRevoked);
        (await Runner().AdvanceAsync(flow.Id))!.State.ShouldBe("Rejected");

        (await Runner().GetRechargeAsync(flow.Id))!.Problem!.Code.ShouldBe("sweep-consent-revoked");
        (await JournalEntriesAsync()).ShouldBe(0);
        Chain.Transactions.ShouldBeEmpty();
    }

    [Fact]
    public async Task StartRecharge_BankHoldsAnotherPaymentUnderTheOperationId_RefusedAsAConflictAndNothingBooked()
    {
        var runner = await RegisteredAsync();
        var id = FlowIds.Recharge(ConsentId, "k1");
        await Sweeps.StartSweepAsync(new BankSweep(FlowIds.BankOperation(id, "bank-sweep"), "sandbox", ConsentId, 999, "other"), default);

        var flow = (await runner.StartRechargeAsync(Recharge("k1"))).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.NeedsAttention.ShouldBeTrue();
        flow.Problem!.Code.ShouldBe("bank-conflict");
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task StartRecharge_ChainReverts_TheMoneyStaysWithTheUser()
    {
        var runner = await RegisteredAsync();
        Chain.Revert = true;

        var flow = (await runner.StartRechargeAsync(Recharge(pence: 900))).Flow!;

        flow.State.ShouldBe(TopupFlowState.FundingFailed);
        flow.Problem!.Code.ShouldBe("chain-reverted");
        (await BalanceAsync(User)).ShouldBe((900, 0, 0));
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((0, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task RecordBankReturn_RechargeAlreadyInTheChannel_ReturnedAfterFundingLikeATopup()
    {
        var runner = await RegisteredAsync();
        var flow = (await runner.StartRechargeAsync(Recharge(pence: 700))).Flow!;

        var returned = await Runner().RecordBankReturnAsync(flow.Id, "MD06 refund");

        returned.Outcome.ShouldBe(BankReturnOutcome.Recorded);
        returned.Flow!.Kind.ShouldBe(FlowKind.Recharge);
        returned.Flow.State.ShouldBe("ReturnedAfterFunding");
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((700, 0, 0));
    }

    [Fact]
    public async Task RegisterSweepingConsent_RepeatAndConflict_StoredOnceAndNeverChanged()
    {
        var runner = Runner();
        var consent = Consent() with { PayerAddress = Payer.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), ChannelId = Channel.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal) };

        var first = await runner.RegisterSweepingConsentAsync(consent);
        var again = await Runner().RegisterSweepingConsentAsync(consent);
        var other = await Runner().RegisterSweepingConsentAsync(consent with { MaxPerPeriodPence = 9_999 });

        first.Outcome.ShouldBe(SweepingConsentOutcome.Registered);
        first.Consent.ShouldBe(Consent());
        again.Outcome.ShouldBe(SweepingConsentOutcome.AlreadyRegistered);
        other.Outcome.ShouldBe(SweepingConsentOutcome.ExistsWithDifferentParameters);
        other.Consent.ShouldBe(Consent());
        (await Runner().GetSweepingConsentAsync(ConsentId)).ShouldBe(Consent());
    }

    public static TheoryData<string, Func<SweepingConsent, SweepingConsent>> BadConsents => new()
    {
        { "empty id", c => c with { ConsentId = "" } },
        { "long id", c => c with { ConsentId = new string('c', 129) } },
        { "control in id", c => c with { ConsentId = "a\nb" } },
        { "user", c => c with { UserId = " " } },
        { "bank", c => c with { Bank = "" } },
        { "payer", c => c with { PayerAddress = "0x12" } },
        { "payee", c => c with { PayeeAddress = "m" } },
        { "channel", c => c with { ChannelId = "0xabc" } },
        { "per payment", c => c with { MaxPerPaymentPence = 0 } },
        { "period below payment", c => c with { MaxPerPeriodPence = 1_999 } },
        { "type", c => c with { PeriodType = (SweepPeriodType)99 } },
        { "alignment", c => c with { PeriodAlignment = 0 } },
        { "calendar fortnight", c => c with { PeriodType = SweepPeriodType.Fortnight } },
        { "ends first", c => c with { ValidTo = c.ValidFrom } },
    };

    [Theory]
    [MemberData(nameof(BadConsents))]
    public async Task RegisterSweepingConsent_Invalid_RefusedAndNothingStored(string why, Func<SweepingConsent, SweepingConsent> spoil)
    {
        var bad = spoil(Consent());

        var result = await Runner().RegisterSweepingConsentAsync(bad);

        result.Outcome.ShouldBe(SweepingConsentOutcome.Invalid, why);
        result.Consent.ShouldBeNull();
        result.Detail.ShouldNotBeNullOrEmpty();
        (await Runner().GetSweepingConsentAsync(bad.ConsentId)).ShouldBeNull();
    }

    [Fact]
    public async Task StartTopup_WithASweepingConsent_RefusedSoRechargesOnlyStartAgainstARegisteredConsent()
    {
        var result = await Runner().StartTopupAsync(Topup() with { SweepingConsentId = ConsentId });

        result.Refusal.ShouldBe(TopupRefusal.SweepingConsentGiven);
        (await Runner().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartRecharge_IdOfATopup_RefusedAsOtherKind()
    {
        await RegisteredAsync();
        var topup = (await Runner().StartTopupAsync(Topup(FlowIds.Recharge(ConsentId, "k1")))).Flow!;

        var result = await Runner().StartRechargeAsync(Recharge("k1"));

        result.Refusal.ShouldBe(RechargeRefusal.ExistsAsOtherKind);
        (await Runner().GetTopupAsync(topup.Id)).ShouldBe(topup);
        Sweeps.StartCalls.ShouldBe(0);
    }

    [Fact]
    public async Task StartRecharge_RunnerWithoutSweeps_ThrowsAsAConfigurationBug()
    {
        var store = Store();
        var runner = new SettlementFlows(store, store, Bank, Chain, Confirmations, Balances, Payouts, Clock);

        await Should.ThrowAsync<InvalidOperationException>(() => runner.StartRechargeAsync(Recharge()));
        await Should.ThrowAsync<InvalidOperationException>(() => runner.RegisterSweepingConsentAsync(Consent()));
    }

    private async Task<SettlementFlows> RegisteredWithStartAsync(DateTimeOffset validFrom)
    {
        var runner = Runner();
        (await runner.RegisterSweepingConsentAsync(Consent("future") with { ValidFrom = validFrom })).Outcome.ShouldBe(SweepingConsentOutcome.Registered);
        return runner;
    }
}

using Microsoft.Extensions.Logging;
using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// Edges of recharges and sweeping consents a mutation run left open: the configuration errors' texts, null
/// arguments, the limits' exact boundaries (lengths, validity start, period start and end), refusals that never claim
/// to have created anything, a repeat that resumes an unfinished recharge, and every sweep answer with and without a
/// detail.
/// </summary>
public sealed class RechargeFlowEdgeTests : FlowTestBase
{
    private const string ConsentId = "vrp-consent-1";
    private static readonly string Channel = "0x" + new string('c', 64);

    private readonly ScriptedSweeps _sweeps = new();

    private static SweepingConsent Consent(string id = ConsentId) => RechargeFlowTests.Consent(id);

    private static RechargeRequest Recharge(string key = "k1", long pence = 1_500, string consentId = ConsentId) =>
        new() { ConsentId = consentId, IdempotencyKey = key, AmountPence = pence };

    private SettlementFlows Scripted(ILogger<SettlementFlows>? logger = null) =>
        new(Stored, Stored, Bank, Chain, Confirmations, Balances, Payouts, Clock, logger, sweeps: _sweeps, consents: Stored);

    private async Task RegisterAsync(SweepingConsent? consent = null) =>
        (await Runner().RegisterSweepingConsentAsync(consent ?? Consent())).Outcome.ShouldBe(SweepingConsentOutcome.Registered);

    [Fact]
    public async Task StartRecharge_RunnerWithConsentsButNoSweeps_ThrowsBeforeLookingAtTheRequest()
    {
        var runner = new SettlementFlows(Stored, Stored, Bank, Chain, Confirmations, Balances, Payouts, Clock, consents: Stored);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => runner.StartRechargeAsync(Recharge(consentId: "unknown")));

        ex.Message.ShouldBe("Recharges need an IBankSweeps: none was given to the flows.");
        (await Runner().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RegisterSweepingConsent_RunnerWithoutConsents_ThrowsNamingTheStore()
    {
        var runner = new SettlementFlows(Stored, Stored, Bank, Chain, Confirmations, Balances, Payouts, Clock, sweeps: Sweeps);

        (await Should.ThrowAsync<InvalidOperationException>(() => runner.RegisterSweepingConsentAsync(Consent())))
            .Message.ShouldBe("Recharges need an ISweepingConsentStore: none was given to the flows.");
    }

    [Fact]
    public async Task NullArguments_ThrowNamingTheArgument()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().RegisterSweepingConsentAsync(null!))).ParamName.ShouldBe("consent");
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().GetSweepingConsentAsync(null!))).ParamName.ShouldBe("consentId");
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().GetSweptInPeriodAsync(null!, T0))).ParamName.ShouldBe("consent");
        (await Should.ThrowAsync<ArgumentNullException>(() => Runner().StartRechargeAsync(null!))).ParamName.ShouldBe("request");
    }

    [Fact]
    public async Task RegisterSweepingConsent_SameIdOtherParameters_TheDetailNamesTheConsent()
    {
        await RegisterAsync();

        var other = await Runner().RegisterSweepingConsentAsync(Consent() with { MaxPerPeriodPence = 9_999 });

        other.ShouldBe(new SweepingConsentRegistration(SweepingConsentOutcome.ExistsWithDifferentParameters, Consent(), "consent vrp-consent-1 is registered with other parameters"));
    }

    [Fact]
    public async Task RegisterSweepingConsent_AtTheLimits_Registered()
    {
        var consent = Consent(new string('c', 128)) with { UserId = new string('u', 100), MaxPerPaymentPence = 5_000, MaxPerPeriodPence = 5_000 };

        var result = await Runner().RegisterSweepingConsentAsync(consent);

        result.ShouldBe(new SweepingConsentRegistration(SweepingConsentOutcome.Registered, consent, null));
        (await Runner().GetSweepingConsentAsync(consent.ConsentId)).ShouldBe(consent);
    }

    [Fact]
    public async Task StartRecharge_AtTheLimits_Accepted()
    {
        var longId = new string('c', 128);
        await RegisterAsync(Consent(longId) with { ValidFrom = T0 });
        var key = new string('k', 200);

        var start = await Runner().StartRechargeAsync(Recharge(key, 2_000, longId));

        start.Refusal.ShouldBeNull();
        start.Created.ShouldBeTrue();
        start.Flow!.Id.ShouldBe(FlowIds.Recharge(longId, key));
        start.Flow.State.ShouldBe(TopupFlowState.Funded);
    }

    public static TheoryData<string, Func<RechargeRequest, RechargeRequest>, RechargeRefusal, string> Refusals => new()
    {
        { "long key", r => r with { IdempotencyKey = new string('k', 201) }, RechargeRefusal.IdempotencyKeyInvalid, "the idempotency key must be 1 to 200 characters" },
        { "no consent id", r => r with { ConsentId = null! }, RechargeRefusal.ConsentUnknown, "no sweeping consent '' is registered" },
        { "long consent id", r => r with { ConsentId = new string('c', 129) }, RechargeRefusal.ConsentUnknown, $"no sweeping consent '{new string('c', 129)}' is registered" },
        { "unknown consent", r => r with { ConsentId = "other" }, RechargeRefusal.ConsentUnknown, "no sweeping consent 'other' is registered" },
        {
            "other channel", r => r with { ChannelId = "0x" + new string('d', 64) }, RechargeRefusal.ChannelMismatch,
            $"consent vrp-consent-1 recharges channel 0x{new string('c', 64)}, not 0x{new string('d', 64)}"
        },
        { "zero", r => r with { AmountPence = 0 }, RechargeRefusal.AmountNotPositive, "amount 0p is not positive" },
        { "per payment", r => r with { AmountPence = 2_001 }, RechargeRefusal.OverPaymentLimit, "2001p is above the consent's 2000p per payment" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task StartRecharge_Refused_NotCreatedWithTheExactDetail(string why, Func<RechargeRequest, RechargeRequest> spoil, RechargeRefusal refusal, string detail)
    {
        await RegisterAsync();

        var result = await Runner().StartRechargeAsync(spoil(Recharge()));

        result.ShouldBe(new RechargeStart(null, false, refusal, detail), why);
        (await Runner().ListAsync()).ShouldBeEmpty();
        Sweeps.StartCalls.ShouldBe(0);
    }

    [Fact]
    public async Task StartRecharge_ChannelNamedInOtherCase_Accepted()
    {
        await RegisterAsync();

        (await Runner().StartRechargeAsync(Recharge() with { ChannelId = Channel.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal) })).Refusal.ShouldBeNull();
    }

    [Fact]
    public async Task StartRecharge_ExactlyAtValidFrom_AcceptedAndATickBeforeRefused()
    {
        await RegisterAsync(Consent("early") with { ValidFrom = T0.AddTicks(1) });
        await RegisterAsync(Consent("now") with { ValidFrom = T0 });

        (await Runner().StartRechargeAsync(Recharge(consentId: "early"))).ShouldBe(
            new RechargeStart(null, false, RechargeRefusal.ConsentNotYetValid, $"consent early is valid from {T0.AddTicks(1):O}"));
        (await Runner().StartRechargeAsync(Recharge(consentId: "now"))).Flow!.State.ShouldBe(TopupFlowState.Funded);
    }

    [Fact]
    public async Task StartRecharge_IdOfATopup_NotCreatedAndNamesTheKind()
    {
        await RegisterAsync();
        var id = FlowIds.Recharge(ConsentId, "k1");
        await Runner().StartTopupAsync(Topup(id));

        (await Runner().StartRechargeAsync(Recharge("k1"))).ShouldBe(new RechargeStart(null, false, RechargeRefusal.ExistsAsOtherKind, $"flow {id:N} is a Topup"));
    }

    [Fact]
    public async Task StartRecharge_SameKeyOtherAmount_NotCreatedWithTheDetail()
    {
        await RegisterAsync();
        var first = (await Runner().StartRechargeAsync(Recharge("k1", 500))).Flow!;

        (await Runner().StartRechargeAsync(Recharge("k1", 501))).ShouldBe(
            new RechargeStart(first, false, RechargeRefusal.ExistsWithDifferentParameters, "recharge key 'k1' exists with other parameters"));
    }

    [Fact]
    public async Task StartRecharge_OverThePeriodLimit_NotCreated()
    {
        await RegisterAsync();
        await Runner().StartRechargeAsync(Recharge("a", 2_000));
        await Runner().StartRechargeAsync(Recharge("b", 2_000));

        (await Runner().StartRechargeAsync(Recharge("c", 1_001))).ShouldBe(
            new RechargeStart(null, false, RechargeRefusal.OverPeriodLimit, "1001p is above the 1000p left of the consent's 5000p per Day"));
    }

    [Fact]
    public async Task StartRecharge_RepeatOfAnUnfinishedRecharge_NotCreatedAndAdvancedOnceTheBankCompletes()
    {
        await RegisterAsync();
        Sweeps.Status = BankPaymentStatus.Pending;
        var first = await Runner().StartRechargeAsync(Recharge());
        first.Created.ShouldBeTrue();

        var pending = await Runner().StartRechargeAsync(Recharge());
        pending.Created.ShouldBeFalse();
        pending.Flow!.State.ShouldBe(TopupFlowState.AwaitingBank);

        Sweeps.Set(first.Flow!.BankOperationId, BankPaymentStatus.Completed);
        var again = await Runner().StartRechargeAsync(Recharge());

        again.Created.ShouldBeFalse();
        again.Refusal.ShouldBeNull();
        again.Flow!.State.ShouldBe(TopupFlowState.Funded);
        Sweeps.StartCalls.ShouldBe(1);
    }

    [Fact]
    public async Task StartRecharge_Created_LoggedOnceNotOnTheRepeat()
    {
        await RegisterAsync();
        var logger = new ListLogger();
        var id = FlowIds.Recharge(ConsentId, "k1");

        await Scripted(logger).StartRechargeAsync(Recharge());
        await Scripted(logger).StartRechargeAsync(Recharge());

        logger.Lines.Where(l => l.StartsWith("Recharge ", StringComparison.Ordinal)).ShouldBe([$"Recharge {id} started: 1500p under consent vrp-consent-1"]);
    }

    [Fact]
    public async Task GetSweptInPeriod_RechargeAtThePeriodsStart_CountsInThatPeriodOnly()
    {
        await RegisterAsync();
        Clock.Advance(TimeSpan.FromHours(12)); // 2026-03-02T00:00Z: the start of a calendar day
        var midnight = Clock.GetUtcNow();
        (await Runner().StartRechargeAsync(Recharge(pence: 500))).Flow!.CreatedAt.ShouldBe(midnight);

        (await Runner().GetSweptInPeriodAsync(Consent(), midnight)).ShouldBe(500);
        (await Runner().GetSweptInPeriodAsync(Consent(), midnight.AddTicks(-1))).ShouldBe(0);
    }

    [Fact]
    public async Task GetSweptInPeriod_SumBeyondALong_ThrowsRatherThanWrapping()
    {
        var huge = long.MaxValue / 2 + 1;
        await RegisterAsync(Consent() with { MaxPerPaymentPence = long.MaxValue, MaxPerPeriodPence = long.MaxValue });
        Sweeps.Status = BankPaymentStatus.Pending;
        (await Runner().StartRechargeAsync(Recharge("a", huge))).Created.ShouldBeTrue();
        Clock.Advance(TimeSpan.FromDays(1));
        (await Runner().StartRechargeAsync(Recharge("b", huge))).Created.ShouldBeTrue();

        await Should.ThrowAsync<OverflowException>(() => Runner().GetSweptInPeriodAsync(Consent() with { PeriodType = SweepPeriodType.Year }, Clock.GetUtcNow()));
    }

    [Theory]
    [InlineData("other parameters", "other parameters")]
    [InlineData(null, "conflict")]
    public async Task StartRecharge_SweepConflictAtTheStart_RefusedWithTheDetailOrConflict(string? detail, string expected)
    {
        await RegisterAsync();
        _sweeps.Start = new BankSweepResult(Guid.Empty, BankPaymentStatus.Conflict, Detail: detail);

        var flow = (await Scripted().StartRechargeAsync(Recharge())).Flow!;

        flow.State.ShouldBe(TopupFlowState.Refused);
        flow.Problem.ShouldBe(new FlowProblem("bank-conflict", expected));
        _sweeps.Started.ShouldBe([new BankSweep(flow.BankOperationId, "sandbox", ConsentId, 1_500, "l2pay recharge")]);
    }

    [Theory]
    [InlineData("other payment", "other payment")]
    [InlineData(null, "conflict")]
    public async Task Advance_SweepConflictAfterWaiting_RefusedWithTheDetailOrConflict(string? detail, string expected)
    {
        await RegisterAsync();
        var flow = (await Scripted().StartRechargeAsync(Recharge())).Flow!;
        flow.State.ShouldBe(TopupFlowState.AwaitingBank);
        _sweeps.Status = new BankSweepResult(Guid.Empty, BankPaymentStatus.Conflict, Detail: detail);

        (await Scripted().AdvanceAsync(flow.Id))!.State.ShouldBe("Refused");

        (await Runner().GetRechargeAsync(flow.Id))!.Problem.ShouldBe(new FlowProblem("bank-conflict", expected));
        (await JournalEntriesAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData(BankPaymentStatus.Rejected, BankSweepRefusal.ConsentRevoked, "sweep-consent-revoked", "ConsentRevoked")]
    [InlineData(BankPaymentStatus.Failed, null, "sweep-failed", "Failed")]
    public async Task StartRecharge_SweepRefusedWithoutDetail_TheProblemNamesTheReasonOrTheStatus(BankPaymentStatus status, BankSweepRefusal? refusal, string code, string expected)
    {
        await RegisterAsync();
        _sweeps.Start = new BankSweepResult(Guid.Empty, status, refusal);

        var flow = (await Scripted().StartRechargeAsync(Recharge())).Flow!;

        flow.State.ShouldBe(TopupFlowState.Rejected);
        flow.Problem.ShouldBe(new FlowProblem(code, expected));
    }

    /// <summary>Keeps every formatted log line.</summary>
    private sealed class ListLogger : ILogger<SettlementFlows>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}

using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The recharge flow's bank step over the connector's sweeping VRP: every connector answer maps to the flow's status and
/// reason exactly, a reused operation id or a sweep with other parameters is a conflict, and the consent the flow
/// registers carries the connector's limits and validity.
/// </summary>
public sealed class BankSweepsOverVrpTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Op = Guid.Parse("0b5c3c55-8c2b-4f39-9e0f-27d1a6a0c001");
    private static readonly BankSweep Sweep = new(Op, "sandbox", "consent-1", 1_500, "l2pay recharge");

    private static SweepStatus Status(SweepState state, long amount = 1_500, string consent = "consent-1", SweepRefusal? refusal = null, string? detail = null, params string[] codes) =>
        new(Op.ToString("D"), "sandbox", consent, amount, state, null, null, refusal, detail, codes, null, T0, T0);

    [Fact]
    public async Task StartSweep_Started_AsksTheConnectorUnderTheOperationIdAndMapsCompleted()
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Started, Status(SweepState.Completed), null, null) };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default)).ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Completed));
        vrp.Started.ShouldBe([("consent-1", Op.ToString("D"), 1_500L)]);
    }

    [Theory]
    [InlineData(SweepState.Pending)]
    [InlineData(SweepState.Submitted)]
    public async Task StartSweep_NotFinal_Pending(SweepState state)
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Exists, Status(state), null, null) };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default)).ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Pending));
    }

    [Theory]
    [InlineData(SweepRefusal.ConsentUnknown, BankSweepRefusal.ConsentUnknown)]
    [InlineData(SweepRefusal.ConsentNotAuthorised, BankSweepRefusal.ConsentNotAuthorised)]
    [InlineData(SweepRefusal.ConsentRevoked, BankSweepRefusal.ConsentRevoked)]
    [InlineData(SweepRefusal.ConsentOutsideValidity, BankSweepRefusal.ConsentExpired)]
    [InlineData(SweepRefusal.ExceedsMaximumIndividualAmount, BankSweepRefusal.PerPaymentLimit)]
    [InlineData(SweepRefusal.ExceedsPeriodicLimit, BankSweepRefusal.PeriodLimit)]
    [InlineData(SweepRefusal.BankRefused, BankSweepRefusal.Other)]
    public async Task StartSweep_RefusedAndStored_RejectedWithTheMappedReasonAndTheDetail(SweepRefusal refusal, BankSweepRefusal expected)
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Refused, Status(SweepState.Refused, refusal: refusal, detail: "over the limit"), refusal, "over the limit") };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default)).ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, expected, "over the limit"));
    }

    [Fact]
    public async Task StartSweep_RefusedBeforeAnythingWasStored_RejectedWithTheReason()
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Refused, null, SweepRefusal.ConsentUnknown, "no consent consent-1") };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, BankSweepRefusal.ConsentUnknown, "no consent consent-1"));
    }

    [Fact]
    public async Task StartSweep_OperationIdReused_ConflictWithTheConnectorsDetail()
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Refused, null, SweepRefusal.OperationIdReused, "other amount") };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default)).ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Conflict, null, "other amount"));
        vrp.Start = new SweepOutcome(SweepOutcomeKind.Refused, null, SweepRefusal.OperationIdReused, null);
        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Conflict, null, "the operation id names a sweep with other parameters"));
    }

    [Theory]
    [InlineData(1_499, "consent-1")]
    [InlineData(1_500, "consent-2")]
    public async Task StartSweep_StoredSweepWithOtherAmountOrConsent_Conflict(long amount, string consent)
    {
        var vrp = new ScriptedVrp { Start = new SweepOutcome(SweepOutcomeKind.Exists, Status(SweepState.Completed, amount, consent), null, null) };

        (await new BankSweepsOverVrp(vrp).StartSweepAsync(Sweep, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Conflict, null, "the operation id names a sweep with other parameters"));
    }

    [Fact]
    public async Task GetSweepStatus_Final_ReadWithoutAdvancing()
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Completed) };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default)).ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Completed));
        vrp.Read.ShouldBe([Op.ToString("D")]);
        vrp.Advanced.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetSweepStatus_NotFinal_AdvancedAndTheNewStatusMapped()
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Submitted), Advance = Status(SweepState.Rejected, detail: "RJCT", codes: ["UK.OBIE.Rules.AM04"]) };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, BankSweepRefusal.InsufficientFunds, "RJCT (UK.OBIE.Rules.AM04)"));
        vrp.Advanced.ShouldBe([Op.ToString("D")]);
    }

    [Fact]
    public async Task GetSweepStatus_RejectedForAnotherReason_OtherWithTheStateWhenNothingElseIsKnown()
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Rejected, codes: ["UK.OBIE.Rules.FailsControlParameters", "AC04"]) };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, BankSweepRefusal.Other, "Rejected (UK.OBIE.Rules.FailsControlParameters, AC04)"));
    }

    [Fact]
    public async Task GetSweepStatus_RefusedWithoutCodes_TheDetailAlone()
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Refused, refusal: SweepRefusal.ConsentRevoked, detail: "revoked by the user") };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, BankSweepRefusal.ConsentRevoked, "revoked by the user"));
    }

    [Fact]
    public async Task GetSweepStatus_Unknown_Throws()
    {
        await Should.ThrowAsync<KeyNotFoundException>(() => new BankSweepsOverVrp(new ScriptedVrp()).GetSweepStatusAsync(Op, default));
    }

    [Theory]
    [InlineData(VrpPeriodType.Day, SweepPeriodType.Day)]
    [InlineData(VrpPeriodType.Week, SweepPeriodType.Week)]
    [InlineData(VrpPeriodType.Fortnight, SweepPeriodType.Fortnight)]
    [InlineData(VrpPeriodType.Month, SweepPeriodType.Month)]
    [InlineData(VrpPeriodType.HalfYear, SweepPeriodType.HalfYear)]
    [InlineData(VrpPeriodType.Year, SweepPeriodType.Year)]
    public void ToSweepingConsent_FirstPeriodicLimitAndTheTerms(VrpPeriodType period, SweepPeriodType expected)
    {
        var terms = new VrpConsentTerms(2_000, [new VrpPeriodicLimit(period, VrpPeriodAlignment.Consent, 5_000), new VrpPeriodicLimit(VrpPeriodType.Year, VrpPeriodAlignment.Calendar, 9_000)],
            ValidFrom: T0.AddDays(-1), ValidTo: T0.AddDays(30));
        var view = new VrpConsentView("consent-1", "sandbox", VrpConsentStatus.Authorised, terms, T0.AddDays(-2), null, true);

        BankSweepsOverVrp.ToSweepingConsent(view, "user-1", "0xaa", "0xbb", "0xcc").ShouldBe(new SweepingConsent
        {
            ConsentId = "consent-1", UserId = "user-1", Bank = "sandbox", PayerAddress = "0xaa", PayeeAddress = "0xbb", ChannelId = "0xcc",
            MaxPerPaymentPence = 2_000, MaxPerPeriodPence = 5_000, PeriodType = expected, PeriodAlignment = SweepPeriodAlignment.Consent,
            ValidFrom = T0.AddDays(-1), ValidTo = T0.AddDays(30),
        });
    }

    [Fact]
    public void ToSweepingConsent_CalendarAndNoValidFrom_CalendarAnchoredAtTheConsentsCreation()
    {
        var terms = new VrpConsentTerms(2_000, [new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Calendar, 5_000)]);
        var view = new VrpConsentView("consent-1", "sandbox", VrpConsentStatus.Authorised, terms, T0.AddDays(-2), null, true);

        var consent = BankSweepsOverVrp.ToSweepingConsent(view, "user-1", "0xaa", "0xbb", "0xcc");

        (consent.PeriodAlignment, consent.ValidFrom, consent.ValidTo).ShouldBe((SweepPeriodAlignment.Calendar, T0.AddDays(-2), (DateTimeOffset?)null));
    }

    [Fact]
    public void ToSweepingConsent_NoPeriodicLimit_Refused()
    {
        var view = new VrpConsentView("consent-1", "sandbox", VrpConsentStatus.Authorised, new VrpConsentTerms(2_000, []), T0, null, true);

        Should.Throw<ArgumentException>(() => BankSweepsOverVrp.ToSweepingConsent(view, "user-1", "0xaa", "0xbb", "0xcc")).ParamName.ShouldBe("consent");
    }

    [Fact]
    public async Task NullArguments_ThrowNamingTheArgument()
    {
        Should.Throw<ArgumentNullException>(() => new BankSweepsOverVrp(null!)).ParamName.ShouldBe("vrp");
        Should.Throw<ArgumentNullException>(() => BankSweepsOverVrp.ToSweepingConsent(null!, "user-1", "0xaa", "0xbb", "0xcc")).ParamName.ShouldBe("consent");
        (await Should.ThrowAsync<ArgumentNullException>(() => new BankSweepsOverVrp(new ScriptedVrp()).StartSweepAsync(null!, default))).ParamName.ShouldBe("sweep");
    }

    [Fact]
    public void ToSweepingConsent_NoPeriodicLimit_TheMessageSaysSo()
    {
        var view = new VrpConsentView("consent-1", "sandbox", VrpConsentStatus.Authorised, new VrpConsentTerms(2_000, []), T0, null, true);

        Should.Throw<ArgumentException>(() => BankSweepsOverVrp.ToSweepingConsent(view, "user-1", "0xaa", "0xbb", "0xcc"))
            .Message.ShouldBe("The consent has no periodic limit. (Parameter 'consent')");
    }

    [Fact]
    public async Task GetSweepStatus_Unknown_TheMessageNamesTheOperation()
    {
        (await Should.ThrowAsync<KeyNotFoundException>(() => new BankSweepsOverVrp(new ScriptedVrp()).GetSweepStatusAsync(Op, default)))
            .Message.ShouldBe($"No sweep {Op:N}.");
    }

    [Theory]
    [InlineData(BankSweepRefusal.Other)]
    [InlineData(BankSweepRefusal.InsufficientFunds, "AC04", "UK.OBIE.Rules.AM04")]
    public async Task GetSweepStatus_RejectedWithoutOrWithOneAm04Code_InsufficientFundsOnlyWhenOneCodeSaysSo(BankSweepRefusal expected, params string[] codes)
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Rejected, detail: "RJCT", codes: codes) };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default)).Refusal.ShouldBe(expected);
    }

    [Fact]
    public async Task GetSweepStatus_RejectedWithTheBanksStatusOnly_TheBanksStatusCode()
    {
        var vrp = new ScriptedVrp { Stored = Status(SweepState.Rejected) with { BankStatus = PaymentStatus.FromCode("RJCT") } };

        (await new BankSweepsOverVrp(vrp).GetSweepStatusAsync(Op, default))
            .ShouldBe(new BankSweepResult(Op, BankPaymentStatus.Rejected, BankSweepRefusal.Other, "RJCT"));
    }

    /// <summary>A connector that answers what the test scripted and records what it was asked.</summary>
    private sealed class ScriptedVrp : IVrpSweeps
    {
        public SweepOutcome? Start { get; set; }

        public SweepStatus? Stored { get; set; }

        public SweepStatus? Advance { get; set; }

        public List<(string Consent, string Operation, long Amount)> Started { get; } = [];

        public List<string> Read { get; } = [];

        public List<string> Advanced { get; } = [];

        public Task<SweepOutcome> StartSweepAsync(string consentId, string operationId, long amountMinor, CancellationToken cancellationToken)
        {
            Started.Add((consentId, operationId, amountMinor));
            return Task.FromResult(Start!);
        }

        public Task<SweepStatus?> GetSweepStatusAsync(string operationId, CancellationToken cancellationToken)
        {
            Read.Add(operationId);
            return Task.FromResult(Stored);
        }

        public Task<SweepStatus> AdvanceSweepAsync(string operationId, CancellationToken cancellationToken)
        {
            Advanced.Add(operationId);
            return Task.FromResult(Advance!);
        }

        public Task<VrpConsentSetup> CreateConsentAsync(string bank, VrpConsentTerms terms, string operationId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView> CompleteAuthorizationAsync(VrpConsentSetup setup, string code, string state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView> AuthorizeHeadlessAsync(VrpConsentSetup setup, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView?> GetConsentAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SweepStatus> PollUntilFinalAsync(string operationId, TimeSpan interval, int maxPolls, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> AvailableAllowanceAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SweepStatus>> ResumeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RevokeConsentAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The sweeping consents the flow store's database keeps (<see cref="ISweepingConsentStore"/>): inserted once, read back field by field.</summary>
public abstract partial class FlowStoreContract
{
    private static SweepingConsent Consent(string id, DateTimeOffset? validTo) => new()
    {
        ConsentId = id,
        UserId = "user-1",
        Bank = "sandbox",
        PayerAddress = "0x" + new string('a', 40),
        PayeeAddress = "0x" + new string('b', 40),
        ChannelId = "0x" + new string('c', 64),
        MaxPerPaymentPence = 2_500,
        MaxPerPeriodPence = 10_000,
        PeriodType = SweepPeriodType.Week,
        PeriodAlignment = SweepPeriodAlignment.Calendar,
        ValidFrom = T0,
        ValidTo = validTo,
    };

    private ISweepingConsentStore Consents() => (ISweepingConsentStore)Store();

    [Fact]
    public async Task TryInsertSweepingConsent_New_TrueAndReadBackOnAnotherInstance()
    {
        var bounded = Consent("vrp-1", T0.AddDays(90));
        var open = Consent("vrp-2", null) with { PeriodType = SweepPeriodType.Day, PeriodAlignment = SweepPeriodAlignment.Consent };

        (await Consents().TryInsertSweepingConsentAsync(bounded)).ShouldBeTrue();
        (await Consents().TryInsertSweepingConsentAsync(open)).ShouldBeTrue();

        (await Consents().GetSweepingConsentAsync("vrp-1")).ShouldBe(bounded);
        (await Consents().GetSweepingConsentAsync("vrp-2")).ShouldBe(open);
    }

    [Fact]
    public async Task TryInsertSweepingConsent_SameIdAgain_FalseAndTheFirstKept()
    {
        var first = Consent("vrp-1", null);
        (await Consents().TryInsertSweepingConsentAsync(first)).ShouldBeTrue();

        (await Consents().TryInsertSweepingConsentAsync(first)).ShouldBeFalse();
        (await Consents().TryInsertSweepingConsentAsync(first with { MaxPerPeriodPence = 20_000, ValidTo = T0.AddDays(1) })).ShouldBeFalse();

        (await Consents().GetSweepingConsentAsync("vrp-1")).ShouldBe(first);
    }

    [Fact]
    public async Task GetSweepingConsent_Unknown_Null()
    {
        (await Consents().TryInsertSweepingConsentAsync(Consent("vrp-1", null))).ShouldBeTrue();

        (await Consents().GetSweepingConsentAsync("vrp-2")).ShouldBeNull();
        (await Consents().GetSweepingConsentAsync("VRP-1")).ShouldBeNull();
    }
}

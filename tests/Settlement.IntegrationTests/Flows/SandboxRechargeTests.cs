using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// Recharges end to end against the real bank sandbox (HTTPS on 127.0.0.1, OBIE VRP v4.0, headless authorisation)
/// through <see cref="BankSweepsOverVrp"/> and the connector's <see cref="VrpSweepService"/>: the sandbox balances are
/// the independent check that each recharge was paid once, and that a refused one paid nothing.
/// </summary>
public sealed class SandboxRechargeTests : FlowTestBase, IAsyncLifetime
{
    private static readonly string Channel = "0x" + new string('c', 64);
    private SandboxBank? _bank;

    private SandboxBank Sandbox => _bank ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        Clock.SetUtcNow(Sandbox.Clock.GetUtcNow()); // the flows' clock is the bank's, so the consent's validity is the same instant
    }

    public async Task DisposeAsync()
    {
        if (_bank is not null)
        {
            await _bank.DisposeAsync();
        }
    }

    private SettlementFlows VrpRunner(Func<FlowCheckpoint, CancellationToken, ValueTask>? onCheckpoint = null)
    {
        var store = Store();
        return new SettlementFlows(
            store, store, Bank, Chain, Confirmations, Balances, Payouts, Clock, onCheckpoint: onCheckpoint, sweeps: new BankSweepsOverVrp(Sandbox.Sweeps), consents: store);
    }

    /// <summary>A sweeping consent (£50 per payment, £100 per consent-aligned day) authorised at the sandbox and registered against the channel.</summary>
    private async Task<SweepingConsent> RegisteredConsentAsync()
    {
        var terms = new VrpConsentTerms(
            5_000, [new VrpPeriodicLimit(VrpPeriodType.Day, VrpPeriodAlignment.Consent, 10_000)], Debtor: new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer"));
        var setup = await Sandbox.Sweeps.CreateConsentAsync(SandboxBank.BankName, terms, "consent-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        var authorised = await Sandbox.Sweeps.AuthorizeHeadlessAsync(setup, CancellationToken.None);
        var consent = BankSweepsOverVrp.ToSweepingConsent(authorised, UserId, Payer, Payee, Channel);
        (await VrpRunner().RegisterSweepingConsentAsync(consent)).Outcome.ShouldBe(SweepingConsentOutcome.Registered);
        return consent;
    }

    private async Task<TopupFlow> DriveAsync(Guid id)
    {
        var flow = (await VrpRunner().GetRechargeAsync(id))!;
        for (var i = 0; i < 10 && !flow.IsFinished; i++)
        {
            Sandbox.AdvanceBank(TimeSpan.FromSeconds(1));
            await VrpRunner().ResumeAllAsync();
            flow = (await VrpRunner().GetRechargeAsync(id))!;
        }

        return flow;
    }

    [Fact]
    public async Task Recharge_UnderAnAuthorisedConsent_PaidOnceAtTheBankAndTheChannelFundedOnce()
    {
        var consent = await RegisteredConsentAsync();
        var request = new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = "crossing-1", AmountPence = 2_000 };

        var start = await VrpRunner().StartRechargeAsync(request);
        var flow = await DriveAsync(start.Flow!.Id);
        var repeat = await VrpRunner().StartRechargeAsync(request);

        flow.State.ShouldBe(TopupFlowState.Funded);
        repeat.Flow.ShouldBe(flow);
        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000 - 2_000);
        Sandbox.Balance(SandboxBank.Platform).ShouldBe(2_000);
        Sandbox.Host.PaymentCount.ShouldBe(1);
        (await Sandbox.Sweeps.GetSweepStatusAsync(flow.BankOperationId.ToString("D"), CancellationToken.None))!.State.ShouldBe(SweepState.Completed);
        Chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"topup {Channel} 20000000");
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_000, 0, 0));
        (await BalanceAsync(SettlementAccounts.BankClearing)).ShouldBe((-2_000, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Theory]
    [InlineData("done:bank-sweep")]
    [InlineData("saved:AwaitingBank")]
    [InlineData("done:credit")]
    [InlineData("done:fund-chain")]
    public async Task Recharge_CrashAt_ResumedWithoutPayingOrFundingTwice(string crashAt)
    {
        var consent = await RegisteredConsentAsync();
        var request = new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = "crossing-1", AmountPence = 3_000 };
        var crashed = false;
        ValueTask CrashOnce(FlowCheckpoint c, CancellationToken _)
        {
            if (!crashed && c.Name == crashAt)
            {
                crashed = true;
                throw new SimulatedFlowCrashException(c.Name);
            }

            return ValueTask.CompletedTask;
        }

        var runner = VrpRunner(CrashOnce);
        try
        {
            await runner.StartRechargeAsync(request);
            for (var i = 0; i < 10 && !crashed; i++)
            {
                Sandbox.AdvanceBank(TimeSpan.FromSeconds(1));
                await runner.AdvanceAsync(FlowIds.Recharge(consent.ConsentId, "crossing-1"));
            }
        }
        catch (SimulatedFlowCrashException)
        {
        }

        crashed.ShouldBeTrue();
        await Sandbox.RestartConnectorAsync();
        var flow = await DriveAsync(FlowIds.Recharge(consent.ConsentId, "crossing-1"));

        flow.State.ShouldBe(TopupFlowState.Funded);
        Sandbox.AdvanceBank(TimeSpan.FromSeconds(5));
        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000 - 3_000);
        Sandbox.Balance(SandboxBank.Platform).ShouldBe(3_000);
        Sandbox.Host.PaymentCount.ShouldBe(1);
        Chain.Transactions.Count.ShouldBe(1);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((3_000, 0, 0));
        await AssertLedgerSoundAsync();
    }

    [Fact]
    public async Task Recharge_ConsentRevokedAtTheBank_RejectedWithTheReasonNothingPaidNothingBooked()
    {
        var consent = await RegisteredConsentAsync();
        await Sandbox.Sweeps.RevokeConsentAsync(consent.ConsentId, CancellationToken.None);

        var flow = (await VrpRunner().StartRechargeAsync(new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = "k", AmountPence = 1_000 })).Flow!;

        flow.State.ShouldBe(TopupFlowState.Rejected);
        flow.Problem!.Code.ShouldBe("sweep-consent-revoked");
        Sandbox.AdvanceBank(TimeSpan.FromSeconds(5));
        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000);
        Sandbox.Host.PaymentCount.ShouldBe(0);
        (await JournalEntriesAsync()).ShouldBe(0);
        Chain.Transactions.ShouldBeEmpty();
    }

    [Fact]
    public async Task Recharge_OverTheConsentsDailyLimit_RefusedBeforeTheBankIsCalled()
    {
        var consent = await RegisteredConsentAsync();
        foreach (var key in new[] { "a", "b" })
        {
            var started = await VrpRunner().StartRechargeAsync(new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = key, AmountPence = 5_000 });
            (await DriveAsync(started.Flow!.Id)).State.ShouldBe(TopupFlowState.Funded);
        }

        var exchanges = Sandbox.Exchanges.Count;
        var over = await VrpRunner().StartRechargeAsync(new RechargeRequest { ConsentId = consent.ConsentId, IdempotencyKey = "c", AmountPence = 1 });

        over.Refusal.ShouldBe(RechargeRefusal.OverPeriodLimit);
        Sandbox.Exchanges.Count.ShouldBe(exchanges);
        Sandbox.Host.PaymentCount.ShouldBe(2);
        Sandbox.AdvanceBank(TimeSpan.FromSeconds(5));
        Sandbox.Balance(SandboxBank.Platform).ShouldBe(10_000);
    }
}

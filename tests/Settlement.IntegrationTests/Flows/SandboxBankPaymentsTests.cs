using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// <see cref="BankPaymentsOverTransferService"/> against the real bank sandbox (HTTPS on 127.0.0.1, OBIE PIS, headless
/// authorisation): the operation id makes every start idempotent, and a whole top-up flow runs over it.
/// </summary>
public sealed class SandboxBankPaymentsTests : FlowTestBase, IAsyncLifetime
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");

    private SandboxBank? _bank;

    private SandboxBank Sandbox => _bank ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _bank = await SandboxBank.StartAsync(ObieVersion.V3_1_11, platformBalance: 50_000);

    public async Task DisposeAsync()
    {
        if (_bank is not null)
        {
            await _bank.DisposeAsync();
        }
    }

    private async Task<BankPaymentResult> DriveAsync(IBankPayments bank, Guid operationId)
    {
        var status = await bank.GetStatusAsync(operationId, default);
        for (var i = 0; i < 10 && status.Status == BankPaymentStatus.Pending; i++)
        {
            Sandbox.AdvanceBank(TimeSpan.FromSeconds(1));
            status = await bank.GetStatusAsync(operationId, default);
        }

        return status;
    }

    [Fact]
    public async Task StartTopup_RepeatedWithTheSameOperationId_OnePaymentCompleted()
    {
        var bank = new BankPaymentsOverTransferService(Sandbox.Transfers);
        var id = Guid.NewGuid();
        var topup = new BankTopup(id, SandboxBank.BankName, 1_250, "l2pay top-up", Customer);

        (await bank.StartTopupAsync(topup, default)).OperationId.ShouldBe(id);
        (await bank.StartTopupAsync(topup, default)).OperationId.ShouldBe(id);
        (await DriveAsync(bank, id)).Status.ShouldBe(BankPaymentStatus.Completed);
        (await bank.StartTopupAsync(topup, default)).Status.ShouldBe(BankPaymentStatus.Completed);

        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000 - 1_250);
        Sandbox.Balance(SandboxBank.Platform).ShouldBe(50_000 + 1_250);
    }

    [Fact]
    public async Task StartTopup_SameOperationIdOtherAmount_ConflictAndNothingPaid()
    {
        var bank = new BankPaymentsOverTransferService(Sandbox.Transfers);
        var id = Guid.NewGuid();
        await bank.StartTopupAsync(new BankTopup(id, SandboxBank.BankName, 100, "a", Customer), default);

        var conflict = await bank.StartTopupAsync(new BankTopup(id, SandboxBank.BankName, 101, "a", Customer), default);

        conflict.Status.ShouldBe(BankPaymentStatus.Conflict);
        (await DriveAsync(bank, id)).Status.ShouldBe(BankPaymentStatus.Completed);
        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000 - 100);
    }

    [Fact]
    public async Task StartPayout_ToTheMerchant_Completed()
    {
        var bank = new BankPaymentsOverTransferService(Sandbox.Transfers);
        var id = Guid.NewGuid();

        await bank.StartPayoutAsync(new BankPayout(id, SandboxBank.BankName, 700, new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Merchant, "Merchant"), "l2pay payout"), default);

        (await DriveAsync(bank, id)).Status.ShouldBe(BankPaymentStatus.Completed);
        Sandbox.Balance(SandboxBank.Merchant).ShouldBe(700);
        Sandbox.Balance(SandboxBank.Platform).ShouldBe(50_000 - 700);
    }

    [Fact]
    public async Task GetStatus_UnknownOperation_KeyNotFound()
    {
        await Should.ThrowAsync<KeyNotFoundException>(() => new BankPaymentsOverTransferService(Sandbox.Transfers).GetStatusAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task TopupFlow_OverTheSandbox_FundedAndTheCustomerPaidOnce()
    {
        var store = Store();
        var flows = new SettlementFlows(store, store, new BankPaymentsOverTransferService(Sandbox.Transfers), Chain, Confirmations, Balances, Payouts, Clock);
        var request = Topup(pence: 2_000) with { Bank = SandboxBank.BankName, DebtorAccount = Customer };

        var start = await flows.StartTopupAsync(request);
        start.Flow!.State.ShouldBeOneOf(TopupFlowState.AwaitingBank, TopupFlowState.Funded);
        for (var i = 0; i < 10 && (await flows.GetAsync(request.FlowId))!.State == "AwaitingBank"; i++)
        {
            Sandbox.AdvanceBank(TimeSpan.FromSeconds(1));
            await flows.AdvanceAsync(request.FlowId);
        }

        (await flows.GetTopupAsync(request.FlowId))!.State.ShouldBe(TopupFlowState.Funded);
        var again = await flows.StartTopupAsync(request);
        again.Refusal.ShouldBeNull("the stored request (with its debtor account) reads back equal");
        again.Flow!.State.ShouldBe(TopupFlowState.Funded);
        Sandbox.Balance(SandboxBank.Customer).ShouldBe(100_000 - 2_000);
        (await BalanceAsync(SettlementAccounts.StablecoinReserve)).ShouldBe((2_000, 0, 0));
        await AssertLedgerSoundAsync();
    }
}

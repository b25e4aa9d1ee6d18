using Settlement.BankSandbox.Customer;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Transfers;

/// <summary>Top-ups and payouts over HTTPS through the real sandbox, both spec versions; balances prove the money moved.</summary>
public sealed class EndToEndTests
{
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");
    private static readonly AccountIdentification MerchantAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Merchant, "Merchant");

    [Theory]
    [InlineData(ObieVersion.V3_1_11, "AcceptedSettlementCompleted")]
    [InlineData(ObieVersion.V4_0, "ACSC")]
    public async Task Topup_ThroughSandbox_CustomerDebitedPlatformCreditedOnce(ObieVersion version, string finalStatus)
    {
        await using var bank = await SandboxBank.StartAsync(version);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 12_345, Counterparty = CustomerAccount, Reference = "TOPUP" }, CancellationToken.None);
        op.State.ShouldBe(TransferState.PaymentSubmitted);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);

        var done = await bank.DriveAsync(op.Id);
        done.State.ShouldBe(TransferState.Completed);
        done.PaymentStatus.ShouldBe(finalStatus);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 12_345);
        bank.Balance(SandboxBank.Platform).ShouldBe(12_345);

        // Asking again changes nothing.
        (await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Completed);
        bank.Balance(SandboxBank.Platform).ShouldBe(12_345);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task Payout_ThroughSandbox_PlatformDebitedMerchantCreditedOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version, platformBalance: 50_000);
        var op = await bank.Transfers.StartPayoutAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 20_000, Counterparty = MerchantAccount }, CancellationToken.None);
        var done = await bank.DriveAsync(op.Id);
        done.State.ShouldBe(TransferState.Completed);
        bank.Balance(SandboxBank.Platform).ShouldBe(30_000);
        bank.Balance(SandboxBank.Merchant).ShouldBe(20_000);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
    }

    [Fact]
    public async Task Payout_InsufficientFunds_RejectedNothingMoved()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, platformBalance: 1_000);
        var op = await bank.Transfers.StartPayoutAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 5_000, Counterparty = MerchantAccount }, CancellationToken.None);
        var done = await bank.DriveAsync(op.Id);
        done.State.ShouldBe(TransferState.Rejected);
        done.PaymentStatus.ShouldBe("RJCT");
        bank.Balance(SandboxBank.Platform).ShouldBe(1_000);
        bank.Balance(SandboxBank.Merchant).ShouldBe(0);
    }

    [Fact]
    public async Task Topup_CustomerDeclines_RejectedNoPayment()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V3_1_11);
        bank.Host.Customer.SetDefaultDecision(CustomerDecision.Decline);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 500, Counterparty = CustomerAccount }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Rejected);
        op.PaymentId.ShouldBeNull();
        (await bank.Clients.Get(SandboxBank.BankName).GetConsentAsync(op.ConsentId!, CancellationToken.None)).Status.Kind.ShouldBe(ConsentStatusKind.Rejected);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
    }

    [Fact]
    public async Task PisClient_FundsConfirmationAndPaymentDetails_FromSandbox()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var client = bank.Clients.Get(SandboxBank.BankName);
        var instruction = new PaymentInstruction("instr-fc", "e2e-fc", new Money(2_000, "GBP"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Platform, "Platform"), CustomerAccount, null);
        var consent = await client.CreateConsentAsync(instruction, "fc-consent-key", CancellationToken.None);
        consent.Status.Code.ShouldBe("AWAU");
        var auth = await client.BuildAuthorizationUrlAsync(consent.ConsentId, CancellationToken.None);
        var code = await client.AuthorizeHeadlessAsync(auth, CancellationToken.None);
        var token = await client.CompleteAuthorizationAsync(auth, code, auth.State, CancellationToken.None);
        (await client.GetConsentAsync(consent.ConsentId, CancellationToken.None)).Status.Code.ShouldBe("AUTH");
        (await client.GetFundsConfirmationAsync(consent.ConsentId, token, CancellationToken.None)).Available.ShouldBe(true);

        var payment = await client.SubmitPaymentAsync(consent.ConsentId, instruction, token, "fc-payment-key", CancellationToken.None);
        payment.Status.Code.ShouldBe("RCVD");
        (await client.GetConsentAsync(consent.ConsentId, CancellationToken.None)).Status.Code.ShouldBe("COND");
        bank.AdvanceBank(TimeSpan.FromSeconds(5));
        var details = await client.GetPaymentDetailsAsync(payment.PaymentId, CancellationToken.None);
        details.Select(d => d.Status.Code).ShouldContain("ACSC");
    }
}

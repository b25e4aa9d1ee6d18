using System.Net;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Transfers;

/// <summary>
/// Auth failures, the bank's iss, the refund account, v4 status fields and authorisation expiry
/// against the real sandbox over HTTPS; balances prove what moved.
/// </summary>
public sealed class ConnectorRoundTwoTests
{
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");
    private static readonly AccountIdentification MerchantAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Merchant, "Merchant");

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task CachedTokenExpiredAtTheBank_401_RefreshedOnceSameRequestPaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version, connectorOnBankClock: true);
        var first = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_000, Counterparty = CustomerAccount, Reference = "T1" }, CancellationToken.None);
        (await bank.DriveAsync(first.Id)).State.ShouldBe(TransferState.Completed);

        // Two hours later the bank no longer accepts the client-credentials token MSAL still holds (its cache runs on the system clock).
        bank.AdvanceBank(TimeSpan.FromHours(2));
        var second = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 2_000, Counterparty = CustomerAccount, Reference = "T2" }, CancellationToken.None);
        (await bank.DriveAsync(second.Id)).State.ShouldBe(TransferState.Completed);

        var consentPosts = bank.Exchanges.Where(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal)).ToList();
        consentPosts.Select(e => e.Status).ShouldBe([201, 401, 201]);
        consentPosts[2].RequestBody.ShouldBe(consentPosts[1].RequestBody);
        bank.Exchanges.Count(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)).ShouldBe(2);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 3_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(3_000);
    }

    [Fact]
    public async Task PaymentPost_403_FailedNotRetriedNothingPaid()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var forbidden = 0;
        bank.Gateway = r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal) && Interlocked.Increment(ref forbidden) == 1
            ? new HttpResponseMessage(HttpStatusCode.Forbidden)
            : null;

        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_000, Counterparty = CustomerAccount }, CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.LastError!.ShouldStartWith("Bank 'sandbox': POST /domestic-payments: forbidden for this client or token (HTTP 403)");
        forbidden.ShouldBe(1);
        (await bank.DriveAsync(op.Id)).State.ShouldBe(TransferState.Failed);
        forbidden.ShouldBe(1);
        // The consent the sandbox holds was never used: no payment exists.
        (await bank.Clients.Get(SandboxBank.BankName).GetConsentAsync(op.ConsentId!, CancellationToken.None)).Status.Code.ShouldBe("AUTH");
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(0);
    }

    [Fact]
    public async Task WrongBankIssuerConfigured_ResponseSignatureRefusedWithReasonNothingUsed()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V3_1_11, configure: o => o.BankJwsIssuer = "another-bank");
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() =>
            bank.Clients.Get(SandboxBank.BankName).GetConsentAsync("dpc-none", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.SignatureInvalid);
        ex.Message.ShouldContain("iss claim 'sandbox-bank' is not the bank's 'another-bank'");

        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_000, Counterparty = CustomerAccount }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Failed);
        op.LastError!.ShouldContain("iss claim 'sandbox-bank' is not the bank's 'another-bank'");
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task Topup_SandboxReturnsRefund_KeptOnTheTransferPayoutHasNone(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version, platformBalance: 10_000);
        var topup = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_500, Counterparty = CustomerAccount, Reference = "INV-1" }, CancellationToken.None);
        topup.RefundAccount.ShouldBe(new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer"));
        (await bank.DriveAsync(topup.Id)).RefundAccount.ShouldBe(topup.RefundAccount);

        var payment = await bank.Clients.Get(SandboxBank.BankName).GetPaymentAsync(topup.PaymentId!, CancellationToken.None);
        payment.Refund.ShouldBe(topup.RefundAccount);
        payment.Debtor.ShouldBe(topup.RefundAccount);
        payment.ExpectedExecution.ShouldNotBeNull();
        payment.ExpectedSettlement.ShouldBe(payment.ExpectedExecution + TimeSpan.FromSeconds(3));

        var payout = await bank.Transfers.StartPayoutAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 500, Counterparty = MerchantAccount }, CancellationToken.None);
        payout.RefundAccount.ShouldBeNull();
        (await bank.Clients.Get(SandboxBank.BankName).GetPaymentAsync(payout.PaymentId!, CancellationToken.None)).Refund.ShouldBeNull();
    }

    [Fact]
    public async Task V4Payout_Rejected_StatusReasonForThePayer()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, platformBalance: 100);
        var op = await bank.Transfers.StartPayoutAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 5_000, Counterparty = MerchantAccount, Reference = "PAYOUT-1" }, CancellationToken.None);
        (await bank.DriveAsync(op.Id)).State.ShouldBe(TransferState.Rejected);
        var payment = await bank.Clients.Get(SandboxBank.BankName).GetPaymentAsync(op.PaymentId!, CancellationToken.None);
        payment.Status.Code.ShouldBe("RJCT");
        payment.StatusReasons.ShouldBe([new StatusReason("AM04", "insufficient funds in the debtor account")]);
        bank.Balance(SandboxBank.Merchant).ShouldBe(0);
    }

    [Fact]
    public async Task V4Consent_RiskAndStructuredReference_AcceptedByTheSandboxSchema()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest
        {
            Bank = SandboxBank.BankName, AmountMinor = 700, Counterparty = CustomerAccount, Reference = "123456789012345678",
            Risk = new PaymentRisk("BillingGoodsAndServicesInAdvance", "5967", true, true, "SUPP", "Business"),
        }, CancellationToken.None);
        (await bank.DriveAsync(op.Id)).State.ShouldBe(TransferState.Completed);
        var post = bank.Exchanges.First(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal));
        post.RequestBody!.ShouldContain("\"CreditorReferenceInformation\":{\"Reference\":\"123456789012345678\"}");
        post.RequestBody!.ShouldContain("\"PaymentContextCode\":\"BillingGoodsAndServicesInAdvance\"");
        bank.Balance(SandboxBank.Platform).ShouldBe(700);
    }

    [Fact]
    public async Task AwaitingAuthorisation_PastTimeout_ExpiredNothingSentNothingPaid()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, configure: o =>
        {
            o.Quirks.HeadlessAuthorization = false;
            o.AuthorisationTimeout = TimeSpan.FromMinutes(15);
        }, connectorOnBankClock: true);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 900, Counterparty = CustomerAccount }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);

        bank.AdvanceBank(TimeSpan.FromMinutes(16));
        var expired = await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        expired.State.ShouldBe(TransferState.Expired);
        var sent = bank.Exchanges.Count;
        (await bank.Transfers.ResumeAsync(CancellationToken.None)).ShouldBeEmpty();
        (await bank.DriveAsync(op.Id)).State.ShouldBe(TransferState.Expired);
        bank.Exchanges.Count.ShouldBe(sent);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
    }
}

using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>What a transfer sends (Risk, reference, ReadRefundAccount) and keeps (Data.Refund).</summary>
public sealed class TransferContentTests
{
    private static readonly AccountIdentification Merchant = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant");

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task Topup_RefundAccountAskedAndKept_MaskedInAuditAndLogs(ObieVersion version)
    {
        using var t = new TestConnector(version);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 1250, Reference = "INV-1001" }, CancellationToken.None);

        var consentPost = t.Bank.Requests.First(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal));
        consentPost.Json.GetProperty("Data").GetProperty("ReadRefundAccount").GetString().ShouldBe("Yes");
        op.RefundAccount.ShouldBe(new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer"));
        op.RefundAccount!.ToString().ShouldBe("UK.OBIE.SortCodeAccountNumber **********6819 (Customer)");

        // Kept across a restart (same database).
        using var again = new TestConnector(version, databasePath: t.DatabasePath, bank: t.Bank, time: t.Time);
        (await again.Transfers.GetAsync(op.Id, CancellationToken.None))!.RefundAccount.ShouldBe(op.RefundAccount);

        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        string.Join('\n', history.Select(h => h.Detail)).ShouldNotContain("60161331926819");
        string.Join('\n', t.Logs.Lines).ShouldNotContain("60161331926819");
    }

    [Fact]
    public async Task Payout_RefundAccountNotAsked()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 100, Counterparty = Merchant }, CancellationToken.None);
        var consentPost = t.Bank.Requests.First(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal));
        consentPost.Json.GetProperty("Data").TryGetProperty("ReadRefundAccount", out _).ShouldBeFalse();
        op.RefundAccount.ShouldBeNull();
    }

    [Fact]
    public async Task Topup_RiskFromOptions_PayoutRiskFromRequest_OnConsentAndPayment()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        var custom = new PaymentRisk("TransferToThirdParty", null, false, true, "SUPP", "Personal");
        await t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 100, Counterparty = Merchant, Risk = custom }, CancellationToken.None);

        var posts = t.Bank.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal)).Select(r => r.Json.GetProperty("Risk")).ToList();
        posts.Count.ShouldBe(4);
        posts[0].GetProperty("PaymentContextCode").GetString().ShouldBe("BillingGoodsAndServicesInAdvance");
        posts[0].GetProperty("ContractPresentIndicator").GetBoolean().ShouldBeTrue();
        posts[0].GetProperty("BeneficiaryPrepopulatedIndicator").GetBoolean().ShouldBeTrue();
        posts[0].GetProperty("BeneficiaryAccountType").GetString().ShouldBe("Business");
        posts[1].GetRawText().ShouldBe(posts[0].GetRawText());
        posts[2].GetProperty("PaymentContextCode").GetString().ShouldBe("TransferToThirdParty");
        posts[2].GetProperty("ContractPresentIndicator").GetBoolean().ShouldBeFalse();
        posts[2].GetProperty("PaymentPurposeCode").GetString().ShouldBe("SUPP");
        posts[2].GetProperty("BeneficiaryAccountType").GetString().ShouldBe("Personal");
        posts[3].GetRawText().ShouldBe(posts[2].GetRawText());
    }

    [Theory]
    [InlineData("1234567890123456789", "Reference is 19 characters; Faster Payments carries at most 18 (OBIE RemittanceInformation Reference), nothing was sent")]
    [InlineData(null, "Risk.PaymentContextCode 'PispPayee' is not a v4.0 code, nothing was sent")]
    public async Task Create_RefusedAsData_NothingStoredNothingSent(string? reference, string reason)
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var request = new TransferRequest
        {
            OperationId = Guid.NewGuid(), Bank = "acme", AmountMinor = 100, Reference = reference,
            Risk = reference is null ? new PaymentRisk("PispPayee", null, null, null, null, null) : null,
        };
        t.Transfers.Refusal(TransferKind.Topup, request).ShouldBe(reason);
        var ex = await Should.ThrowAsync<ValidationException>(() => t.Transfers.CreateAsync(TransferKind.Topup, request, CancellationToken.None));
        ex.Message.ShouldBe(reason);
        (await t.Transfers.GetAsync(request.OperationId!.Value, CancellationToken.None)).ShouldBeNull();
        t.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_EighteenCharacterReference_Accepted()
    {
        using var t = new TestConnector();
        var request = new TransferRequest { Bank = "acme", AmountMinor = 100, Reference = "123456789012345678" };
        t.Transfers.Refusal(TransferKind.Topup, request).ShouldBeNull();
        (await t.Transfers.StartTopupAsync(request, CancellationToken.None)).State.ShouldBe(TransferState.PaymentSubmitted);
    }

    [Fact]
    public void Options_RiskOutsideTheSpec_NamedAtStart()
    {
        var failures = new List<string>();
        var bank = new BankOptions { SpecVersion = ObieVersion.V4_0, TopupRisk = new RiskOptions { PaymentContextCode = "PartyToParty" } };
        OpenBankingOptionsValidator.ValidateBank("OpenBanking:Banks:acme", bank, failures);
        failures.ShouldContain("OpenBanking:Banks:acme:TopupRisk: Risk.PaymentContextCode 'PartyToParty' is not a v4.0 code.");
    }

    [Fact]
    public void AccountIdentification_Masked_LastFourOnly()
    {
        AccountIdentification.Mask("60161331926819").ShouldBe("**********6819");
        AccountIdentification.Mask("123").ShouldBe("***");
        var account = new AccountIdentification("UK.OBIE.IBAN", "GB29NWBK60161331926819", "Jane");
        $"{account}".ShouldBe("UK.OBIE.IBAN ******************6819 (Jane)");
        JsonSerializer.Serialize(account).ShouldNotContain("Masked");
    }
}

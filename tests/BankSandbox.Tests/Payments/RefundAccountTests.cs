using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Payments;

/// <summary>
/// OBIE ReadRefundAccount: a consent that asks for it gets <c>Data.Refund</c> (and <c>Data.Debtor</c>) on
/// the payment, the payer's account as the bank knows it; one that does not, gets neither. Every
/// answer is checked against the spec's response schema.
/// </summary>
public sealed class RefundAccountTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public async Task ReadRefundAccountYes_PaymentCarriesRefundAndDebtor(PisVersion version)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consent = Bodies.Consent(Bodies.Initiation("5.00"));
        consent["Data"]!["ReadRefundAccount"] = "Yes";
        using var created = await Tpp.PostAsync(version, "domestic-payment-consents", consent.ToJsonString(), cc, "c-refund");
        var consentJson = await ReadValidAsync(created, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        consentJson["Data"]!["ReadRefundAccount"]!.GetValue<string>().ShouldBe("Yes");
        var consentId = consentJson["Data"]!["ConsentId"]!.GetValue<string>();
        var token = await Tpp.AuthorisedTokenAsync(consentId);

        using var submit = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("5.00")).ToJsonString(), token, "p-refund");
        var payment = await ReadValidAsync(submit, version, "POST", "/domestic-payments", HttpStatusCode.Created);
        var expected = new JsonObject { ["SchemeName"] = "UK.OBIE.SortCodeAccountNumber", ["Identification"] = Bodies.Customer, ["Name"] = "Customer" };
        JsonNode.DeepEquals(payment["Data"]!["Refund"]!["Account"], expected).ShouldBeTrue(payment.ToJsonString());
        JsonNode.DeepEquals(payment["Data"]!["Debtor"], expected).ShouldBeTrue();
        payment["Data"]!["ExpectedSettlementDateTime"].ShouldNotBeNull();

        using var read = await Tpp.GetAsync(version, "domestic-payment-consents/" + consentId, cc);
        var readJson = await ReadValidAsync(read, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK);
        JsonNode.DeepEquals(readJson["Data"]!["Debtor"], expected).ShouldBeTrue();
    }

    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public async Task NotAsked_NoRefundNoDebtor(PisVersion version)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("5.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using var submit = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("5.00")).ToJsonString(), token, "p-none");
        var payment = await ReadValidAsync(submit, version, "POST", "/domestic-payments", HttpStatusCode.Created);
        payment["Data"]!["Refund"].ShouldBeNull();
        payment["Data"]!["Debtor"].ShouldBeNull();
    }

    [Fact]
    public async Task V4Rejected_StatusReasonAm04()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("1000.01"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using var submit = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("1000.01")).ToJsonString(), token, "p-short");
        var paymentId = (await ReadValidAsync(submit, PisVersion.V4, "POST", "/domestic-payments", HttpStatusCode.Created))["Data"]!["DomesticPaymentId"]!.GetValue<string>();
        Clock.Advance(TimeSpan.FromSeconds(3));
        using var read = await Tpp.GetAsync(PisVersion.V4, "domestic-payments/" + paymentId, cc);
        var json = await ReadValidAsync(read, PisVersion.V4, "GET", "/domestic-payments/{DomesticPaymentId}", HttpStatusCode.OK);
        json["Data"]!["Status"]!.GetValue<string>().ShouldBe("RJCT");
        json["Data"]!["StatusReason"]![0]!["StatusReasonCode"]!.GetValue<string>().ShouldBe("AM04");
    }
}

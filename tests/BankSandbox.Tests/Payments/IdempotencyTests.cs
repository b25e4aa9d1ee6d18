using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Payments;

public sealed class IdempotencyTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public async Task CreateConsent_SameKeySameBody_SameConsentNothingNew(PisVersion version)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();

        using var first = await Tpp.PostAsync(version, "domestic-payment-consents", body, cc, "same-key");
        Clock.Advance(TimeSpan.FromSeconds(1));
        using var second = await Tpp.PostAsync(version, "domestic-payment-consents", body, cc, "same-key");

        var a = await ReadValidAsync(first, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        var b = await ReadValidAsync(second, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        b["Data"]!["ConsentId"]!.GetValue<string>().ShouldBe(a["Data"]!["ConsentId"]!.GetValue<string>());
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(1);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid")]
    [InlineData(PisVersion.V4, "U006")]
    public async Task CreateConsent_SameKeyOtherBody_400AndNothingNew(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var first = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation("1.00")).ToJsonString(), cc, "key-x");
        using var second = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation("2.00")).ToJsonString(), cc, "key-x");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var error = await ReadValidAsync(second, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest);
        ErrorCode(error).ShouldBe(code);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("x-idempotency-key");
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(1);
    }

    [Fact]
    public async Task CreateConsent_SameKeyAfter24Hours_NewConsent()
    {
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();
        using var first = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, await Tpp.ClientCredentialsTokenAsync(), "old-key");
        Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        using var second = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, await Tpp.ClientCredentialsTokenAsync(), "old-key");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(2);
    }

    [Theory]
    [InlineData(PisVersion.V3, null, "UK.OBIE.Header.Missing")]
    [InlineData(PisVersion.V4, null, "U007")]
    [InlineData(PisVersion.V3, "12345678901234567890123456789012345678901", "UK.OBIE.Header.Invalid")]
    [InlineData(PisVersion.V4, "12345678901234567890123456789012345678901", "U006")]
    public async Task CreateConsent_BadIdempotencyKey_Rejected(PisVersion version, string? key, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, key);

        ErrorCode(await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe(code);
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public async Task CreatePayment_SameKeySameBodyAfterCompletion_SamePaymentCurrentStateMoneyOnce(PisVersion version)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("20.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        var body = Bodies.Payment(consentId, Bodies.Initiation("20.00")).ToJsonString();

        using var first = await Tpp.PostAsync(version, "domestic-payments", body, token, "pay-key");
        var a = await ReadValidAsync(first, version, "POST", "/domestic-payments", HttpStatusCode.Created);
        Clock.Advance(TimeSpan.FromSeconds(3));
        using var second = await Tpp.PostAsync(version, "domestic-payments", body, token, "pay-key");
        var b = await ReadValidAsync(second, version, "POST", "/domestic-payments", HttpStatusCode.Created);

        b["Data"]!["DomesticPaymentId"]!.GetValue<string>().ShouldBe(a["Data"]!["DomesticPaymentId"]!.GetValue<string>());
        b["Data"]!["Status"]!.GetValue<string>().ShouldBe(version == PisVersion.V4 ? "ACSC" : "AcceptedSettlementCompleted");
        Bank.Runtime.Ledger.PaymentCount.ShouldBe(1);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 2000);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(2000);
    }

    [Fact]
    public async Task CreatePayment_ConcurrentSameKey_OnePayment()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("1.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        var body = Bodies.Payment(consentId, Bodies.Initiation("1.00")).ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Tpp.PostAsync(PisVersion.V4, "domestic-payments", body, token, "race-key")));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        Bank.Runtime.Ledger.PaymentCount.ShouldBe(1);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}

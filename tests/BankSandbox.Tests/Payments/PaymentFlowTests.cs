using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Payments;

public sealed class PaymentFlowTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "Consumed", "Pending", "AcceptedSettlementInProcess", "AcceptedSettlementCompleted")]
    [InlineData(PisVersion.V4, "COND", "RCVD", "ACSP", "ACSC")]
    public async Task Payment_ThroughConsentAuthoriseSubmit_ProgressesWithClockAndMovesMoneyOnce(
        PisVersion version, string consumed, string received, string inProcess, string completed)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var initiation = Bodies.Initiation("12.34");
        var consentId = await CreateConsentAsync(version, cc, initiation);
        var token = await Tpp.AuthorisedTokenAsync(consentId);

        using var funds = await Tpp.GetAsync(version, $"domestic-payment-consents/{consentId}/funds-confirmation", token);
        var fundsJson = await ReadValidAsync(funds, version, "GET", "/domestic-payment-consents/{ConsentId}/funds-confirmation", HttpStatusCode.OK);
        fundsJson["Data"]!["FundsAvailableResult"]!["FundsAvailable"]!.GetValue<bool>().ShouldBeTrue();

        using var submit = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("12.34")).ToJsonString(), token, "pay-1");
        var created = await ReadValidAsync(submit, version, "POST", "/domestic-payments", HttpStatusCode.Created);
        var paymentId = created["Data"]!["DomesticPaymentId"]!.GetValue<string>();
        created["Data"]!["Status"]!.GetValue<string>().ShouldBe(received);
        created["Data"]!["ConsentId"]!.GetValue<string>().ShouldBe(consentId);

        using (var consent = await Tpp.GetAsync(version, "domestic-payment-consents/" + consentId, cc))
        {
            (await ReadValidAsync(consent, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK))["Data"]!["Status"]!.GetValue<string>().ShouldBe(consumed);
        }

        (await StatusAsync(version, paymentId, cc)).ShouldBe(received);
        Clock.Advance(TimeSpan.FromSeconds(1));
        (await StatusAsync(version, paymentId, cc)).ShouldBe(inProcess);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);
        Clock.Advance(TimeSpan.FromSeconds(2));
        (await StatusAsync(version, paymentId, cc)).ShouldBe(completed);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 1234);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(1234);

        // More reads and more time: the money moved once.
        Clock.Advance(TimeSpan.FromHours(2));
        Bank.AdvanceStatuses().ShouldBe(0);
        cc = await Tpp.ClientCredentialsTokenAsync(); // the first one expired after an hour of sandbox time
        (await StatusAsync(version, paymentId, cc)).ShouldBe(completed);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 1234);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(1234);

        using var details = await Tpp.GetAsync(version, $"domestic-payments/{paymentId}/payment-details", cc);
        var detailsJson = await ReadValidAsync(details, version, "GET", "/domestic-payments/{DomesticPaymentId}/payment-details", HttpStatusCode.OK);
        detailsJson["Data"]!["PaymentStatus"]!.AsArray().Count.ShouldBe(3);
        detailsJson["Data"]!["PaymentStatus"]![2]!["Status"]!.GetValue<string>().ShouldBe(completed);
    }

    [Theory]
    [InlineData(PisVersion.V3, "Rejected")]
    [InlineData(PisVersion.V4, "RJCT")]
    public async Task Payment_DebtorShortAtSettlement_RejectedAndNoMoneyMoves(PisVersion version, string rejected)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("1000.01"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);

        using var funds = await Tpp.GetAsync(version, $"domestic-payment-consents/{consentId}/funds-confirmation", token);
        (await ReadValidAsync(funds, version, "GET", "/domestic-payment-consents/{ConsentId}/funds-confirmation", HttpStatusCode.OK))
            ["Data"]!["FundsAvailableResult"]!["FundsAvailable"]!.GetValue<bool>().ShouldBeFalse();

        using var submit = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("1000.01")).ToJsonString(), token, "pay-short");
        var paymentId = (await ReadValidAsync(submit, version, "POST", "/domestic-payments", HttpStatusCode.Created))["Data"]!["DomesticPaymentId"]!.GetValue<string>();
        Clock.Advance(TimeSpan.FromSeconds(3));

        (await StatusAsync(version, paymentId, cc)).ShouldBe(rejected);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(0);
    }

    [Fact]
    public async Task Payment_ExternalCreditor_OnlyDebits()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("5.00", creditor: "11111122222222"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using var submit = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("5.00", creditor: "11111122222222")).ToJsonString(), token, "pay-ext");

        Clock.Advance(TimeSpan.FromSeconds(3));
        (await StatusAsync(PisVersion.V4, (await ReadValidAsync(submit, PisVersion.V4, "POST", "/domestic-payments", HttpStatusCode.Created))["Data"]!["DomesticPaymentId"]!.GetValue<string>(), cc)).ShouldBe("ACSC");

        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(99_500);
        Bank.Accounts.TryGet("11111122222222", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Payment_DebtorPickedByCustomer_UsedForTheDebit()
    {
        Bank.Accounts.Set(new Accounts.SandboxAccount { Identification = Bodies.Merchant, BalanceMinor = 700 });
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("7.00", debtor: null));
        Bank.Customer.SetDebtorAccount(consentId, Bodies.Merchant);
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        using var submit = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("7.00", debtor: null)).ToJsonString(), token, "pay-pick");
        submit.StatusCode.ShouldBe(HttpStatusCode.Created);

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();

        Bank.Accounts.GetBalance(Bodies.Merchant).ShouldBe(0);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(700);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.ConsentMismatch")]
    [InlineData(PisVersion.V4, "U008")]
    public async Task Payment_AmountDiffersFromConsent_ConsentMismatchAndConsentStaysAuthorised(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("10.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);

        using var submit = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("10.01")).ToJsonString(), token, "pay-mismatch");
        var error = await ReadValidAsync(submit, version, "POST", "/domestic-payments", HttpStatusCode.BadRequest);

        ErrorCode(error).ShouldBe(code);
        using var retry = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("10.00")).ToJsonString(), token, "pay-right");
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.InvalidConsentStatus")]
    [InlineData(PisVersion.V4, "U009")]
    public async Task Payment_ConsumedConsentWithNewKey_InvalidConsentStatusNothingPaidTwice(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("3.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        var body = Bodies.Payment(consentId, Bodies.Initiation("3.00")).ToJsonString();
        using var first = await Tpp.PostAsync(version, "domestic-payments", body, token, "pay-a");
        first.StatusCode.ShouldBe(HttpStatusCode.Created);

        using var second = await Tpp.PostAsync(version, "domestic-payments", body, token, "pay-b");
        ErrorCode(await ReadValidAsync(second, version, "POST", "/domestic-payments", HttpStatusCode.BadRequest)).ShouldBe(code);

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 300);
    }

    [Fact]
    public async Task Payment_WithClientCredentialsToken_Forbidden()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        await Tpp.AuthorisedTokenAsync(consentId);

        using var submit = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation()).ToJsonString(), cc, "pay-cc");

        submit.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Payment_TokenBoundToAnotherConsent_Forbidden()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var authorised = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());
        var token = await Tpp.AuthorisedTokenAsync(authorised);
        var other = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());

        // A token bound to one consent cannot pay another.
        using var submit = await Tpp.PostAsync(PisVersion.V3, "domestic-payments", Bodies.Payment(other, Bodies.Initiation()).ToJsonString(), token, "pay-other");

        submit.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.NotFound")]
    [InlineData(PisVersion.V4, "U011")]
    public async Task Get_UnknownIds_ResourceNotFound(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var payment = await Tpp.GetAsync(version, "domestic-payments/dp-nope", cc);
        using var consent = await Tpp.GetAsync(version, "domestic-payment-consents/dpc-nope", cc);

        ErrorCode(await ReadValidAsync(payment, version, "GET", "/domestic-payments/{DomesticPaymentId}", HttpStatusCode.BadRequest)).ShouldBe(code);
        ErrorCode(await ReadValidAsync(consent, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.BadRequest)).ShouldBe(code);
    }

    [Fact]
    public async Task Get_ConsentOfAnotherVersion_NotFound()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());

        using var response = await Tpp.GetAsync(PisVersion.V4, "domestic-payment-consents/" + consentId, cc);

        ErrorCode(await ReadValidAsync(response, PisVersion.V4, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.BadRequest)).ShouldBe("U011");
    }

    [Fact]
    public async Task Get_OtherClientsConsent_Forbidden()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        using var other = TppClient.Register(Bank, Clock, "tpp-2");
        var otherToken = await other.ClientCredentialsTokenAsync();

        using var response = await other.GetAsync(PisVersion.V4, "domestic-payment-consents/" + consentId, otherToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Pis_NoBearer_401WithInteractionId()
    {
        using var response = await Tpp.GetAsync(PisVersion.V4, "domestic-payments/x", "not-a-token");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.GetValues("x-fapi-interaction-id").Single().ShouldNotBeNullOrEmpty();
    }

    private async Task<string> StatusAsync(PisVersion version, string paymentId, string token)
    {
        using var response = await Tpp.GetAsync(version, "domestic-payments/" + paymentId, token);
        var json = await ReadValidAsync(response, version, "GET", "/domestic-payments/{DomesticPaymentId}", HttpStatusCode.OK);
        return json["Data"]!["Status"]!.GetValue<string>();
    }
}

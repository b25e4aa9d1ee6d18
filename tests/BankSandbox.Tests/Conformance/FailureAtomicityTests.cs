using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>
/// Class 1: a request that fails after validation stores nothing and spends no idempotency key, and the failure is
/// an OBIE 500 body (UK.OBIE.UnexpectedError / U000), never a bare 500.
/// </summary>
public sealed class FailureAtomicityTests : ConformanceTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.UnexpectedError")]
    [InlineData(PisVersion.V4, "U000")]
    public async Task ConsentPost_FailsBeforeCommit_ObieBodyNothingStoredKeyReusable(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using (var failed = await Tpp.PostAsync(version, "domestic-payment-consents", ConsentJson(), cc, "k-fail", fault: "FailBeforeCommit"))
        {
            await ReadErrorAsync(failed, HttpStatusCode.InternalServerError, code, version);
            failed.Headers.GetValues("x-fapi-interaction-id").Single().ShouldBe(InteractionId);
        }

        Bank.ConsentCount.ShouldBe(0);

        // The key was not spent: the same key and body now create the consent, once.
        using var retried = await Tpp.PostAsync(version, "domestic-payment-consents", ConsentJson(), cc, "k-fail");
        var created = await ReadValidAsync(retried, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        using var replayed = await Tpp.PostAsync(version, "domestic-payment-consents", ConsentJson(), cc, "k-fail");
        (await ReadValidAsync(replayed, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created))["Data"]!["ConsentId"]!.GetValue<string>()
            .ShouldBe(created["Data"]!["ConsentId"]!.GetValue<string>());
        Bank.ConsentCount.ShouldBe(1);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.UnexpectedError", "Authorised")]
    [InlineData(PisVersion.V4, "U000", "AUTH")]
    public async Task PaymentPost_FailsBeforeCommit_ConsentStillAuthorisedNoPaymentNoMoneyKeyReusable(PisVersion version, string code, string authorised)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("4.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        var payment = Bodies.Payment(consentId, Bodies.Initiation("4.00")).ToJsonString();

        using (var failed = await Tpp.PostAsync(version, "domestic-payments", payment, token, "p-fail", fault: "FailBeforeCommit"))
        {
            await ReadErrorAsync(failed, HttpStatusCode.InternalServerError, code, version, path: "/domestic-payments");
        }

        Bank.PaymentCount.ShouldBe(0);
        (await ConsentStatusAsync(version, cc, consentId)).ShouldBe(authorised);
        Clock.Advance(TimeSpan.FromSeconds(10));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);

        using var retried = await Tpp.PostAsync(version, "domestic-payments", payment, token, "p-fail");
        retried.StatusCode.ShouldBe(HttpStatusCode.Created, await retried.Content.ReadAsStringAsync());
        Bank.PaymentCount.ShouldBe(1);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Field.Invalid")]
    [InlineData(PisVersion.V4, "U002")]
    public async Task ConsentPost_EscapedLoneSurrogate_400BeforeAnythingIsStored(PisVersion version, string code)
    {
        // Valid UTF-8 bytes, valid JSON syntax, but the string is not Unicode: it could be stored and then not serialised.
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var json = ConsentJson().Replace("\"instr-1\"", "\"ab\\ud800\"", StringComparison.Ordinal);

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", json, cc, "k-surrogate");

        var error = await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("Data.Initiation.InstructionIdentification");
        Bank.ConsentCount.ShouldBe(0);
        using var valid = await Tpp.PostAsync(version, "domestic-payment-consents", ConsentJson(), cc, "k-surrogate");
        valid.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task UnknownPisPath_404WithObieBody()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V3, "domestic-standing-orders/x", null, cc);

        var error = await ReadErrorAsync(response, HttpStatusCode.NotFound, "UK.OBIE.Resource.NotFound", PisVersion.V3);
        error["Code"]!.GetValue<string>().ShouldBe("404 NotFound");
    }

    [Fact]
    public async Task WrongMethod_405WithObieBody()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.SendRawAsync(HttpMethod.Delete, PisVersion.V4, "domestic-payment-consents/dpc-x", null, cc);

        await ReadErrorAsync(response, HttpStatusCode.MethodNotAllowed, "U011", PisVersion.V4);
        Bank.ConsentCount.ShouldBe(0);
    }
}

using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>Class 3: 401 and 403 answers carry a signed OBErrorResponse1 (403Error in the spec), never an empty body.</summary>
public sealed class AuthErrorTests : ConformanceTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Missing")]
    [InlineData(PisVersion.V4, "U007")]
    public async Task NoToken_401WithSignedBody(PisVersion version, string code)
    {
        using var response = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", Utf8(ConsentJson()), token: null, "k-401");

        var error = await ReadErrorAsync(response, HttpStatusCode.Unauthorized, code, version);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("Authorization");
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid")]
    [InlineData(PisVersion.V4, "U006")]
    public async Task ExpiredToken_401WithSignedBody(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        Clock.Advance(TimeSpan.FromHours(2));

        using var response = await Tpp.GetAsync(version, "domestic-payment-consents/dpc-x", cc);

        await ReadErrorAsync(response, HttpStatusCode.Unauthorized, code, version, "GET", "/domestic-payment-consents/{ConsentId}");
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid")]
    [InlineData(PisVersion.V4, "U006")]
    public async Task ClientCredentialsTokenOnPayment_403SignedBodyNothingPaid(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("3.00"));
        _ = await Tpp.AuthorisedTokenAsync(consentId);

        using var response = await Tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("3.00")).ToJsonString(), cc, "p-403");

        await ReadErrorAsync(response, HttpStatusCode.Forbidden, code, version, path: "/domestic-payments");
        Bank.PaymentCount.ShouldBe(0);
    }

    [Fact]
    public async Task OtherClientsConsent_403SignedBody()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());
        using var other = TppClient.Register(Bank, Clock, clientId: "tpp-2");
        var otherCc = await other.ClientCredentialsTokenAsync();

        using var response = await other.GetAsync(PisVersion.V3, "domestic-payment-consents/" + consentId, otherCc);

        await ReadErrorAsync(response, HttpStatusCode.Forbidden, "UK.OBIE.Header.Invalid", PisVersion.V3, "GET", "/domestic-payment-consents/{ConsentId}");
    }

    [Fact]
    public async Task InjectedTooManyRequests_429WithSignedBodyAndRetryAfter()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", ConsentJson(), cc, "k-429", fault: "TooManyRequests;retry-after=3");

        await ReadErrorAsync(response, HttpStatusCode.TooManyRequests, "U000", PisVersion.V4);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(3));
        Bank.ConsentCount.ShouldBe(0);
    }
}

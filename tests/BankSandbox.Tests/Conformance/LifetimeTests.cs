using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>
/// Class 4: lifetimes on the sandbox clock — Data.Authorisation.CompletionDateTime, request-object exp (required,
/// at most RequestObjectMaxLifetime ahead), x-jws-signature iat within JwsIatTolerance.
/// </summary>
public sealed class LifetimeTests : ConformanceTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Field.InvalidDate")]
    [InlineData(PisVersion.V4, "U003")]
    public async Task CompletionDateTimeInThePast_400InvalidDateNothingStored(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", WithCompletion(Clock.GetUtcNow().AddSeconds(-1)), cc, "k-past");

        (await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version))["Errors"]![0]!["Path"]!.GetValue<string>()
            .ShouldBe("Data.Authorisation.CompletionDateTime");
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "Rejected")]
    [InlineData(PisVersion.V4, "RJCT")]
    public async Task CompletionDateTimePassed_ConsentRejectedAndCannotBeAuthorised(PisVersion version, string rejected)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var deadline = Clock.GetUtcNow().AddMinutes(10);
        using var created = await Tpp.PostAsync(version, "domestic-payment-consents", WithCompletion(deadline), cc, "k-deadline");
        var json = await ReadValidAsync(created, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created);
        var consentId = json["Data"]!["ConsentId"]!.GetValue<string>();
        DateTimeOffset.Parse(json["Data"]!["Authorisation"]!["CompletionDateTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(deadline);

        Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier());

        redirect.ShouldNotContainKey("code");
        redirect["error"].ShouldBe("invalid_request");
        (await ConsentStatusAsync(version, cc, consentId)).ShouldBe(rejected);
    }

    [Fact]
    public async Task CompletionDateTimeNotReached_AuthorisesNormally()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var created = await Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", WithCompletion(Clock.GetUtcNow().AddMinutes(10)), cc, "k-in-time");
        var consentId = (await ReadValidAsync(created, PisVersion.V3, "POST", "/domestic-payment-consents", HttpStatusCode.Created))["Data"]!["ConsentId"]!.GetValue<string>();
        Clock.Advance(TimeSpan.FromMinutes(9));

        _ = await Tpp.AuthorisedTokenAsync(consentId);

        (await ConsentStatusAsync(PisVersion.V3, cc, consentId)).ShouldBe("Authorised");
    }

    [Theory]
    [InlineData("none", "request object has no exp")]
    [InlineData("2h", "request object exp is too far ahead (lifetime above the allowed maximum)")]
    [InlineData("past", "request object expired")]
    [InlineData("nbf-11m", "request object is not valid yet (nbf)")]
    public async Task RequestObject_WithoutOrUnboundedExp_RefusedConsentUntouched(string exp, string description)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier(), editClaims: c => SetExp(c, exp));

        redirect.ShouldNotContainKey("code");
        redirect["error"].ShouldBe("invalid_request_object");
        redirect["error_description"].ShouldBe(description);
        (await ConsentStatusAsync(PisVersion.V4, cc, consentId)).ShouldBe("AWAU");
    }

    [Theory]
    [InlineData("59m")]
    [InlineData("nbf-5m")]
    public async Task RequestObject_ExpJustUnderAnHourOrNbfWithinSkew_Accepted(string exp)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());

        var redirect = await Tpp.AuthorizeAsync(consentId, TppClient.NewVerifier(), editClaims: c => SetExp(c, exp));

        redirect.ShouldContainKey("code");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("2h")]
    public async Task BackchannelRequestObject_WithoutOrUnboundedExp_400InvalidRequest(string exp)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());

        using var response = await Tpp.TokenEndpointFormAsync("as/bc-authorize", new Dictionary<string, string> { ["request"] = CibaRequest(consentId, loginHint: "customer", edit: c => { c.Remove("exp"); c.Remove("nbf"); SetExp(c, exp); }) });

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonNode.Parse(text)!["error"]!.GetValue<string>().ShouldBe("invalid_request");
        (await ConsentStatusAsync(PisVersion.V3, cc, consentId)).ShouldBe("AwaitingAuthorisation");
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.InvalidClaim", -11)]
    [InlineData(PisVersion.V4, "U016", -11)]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.InvalidClaim", 11)]
    public async Task JwsIatOutsideTolerance_400InvalidClaim(PisVersion version, string code, int minutes)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Utf8(ConsentJson());
        var jws = Tpp.Sign(body, h => h["http://openbanking.org.uk/iat"] = Clock.GetUtcNow().AddMinutes(minutes).ToUnixTimeSeconds());

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", body, cc, "k-iat", jws: jws);

        (await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version))["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("http://openbanking.org.uk/iat");
        Bank.ConsentCount.ShouldBe(0);
    }

    [Fact]
    public async Task JwsIatWithinTolerance_Accepted()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Utf8(ConsentJson());
        var jws = Tpp.Sign(body, h => h["http://openbanking.org.uk/iat"] = Clock.GetUtcNow().AddMinutes(-9).ToUnixTimeSeconds());

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-iat-ok", jws: jws);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private string WithCompletion(DateTimeOffset at)
    {
        var body = Bodies.Consent(Bodies.Initiation());
        body["Data"]!["Authorisation"] = new JsonObject
        {
            ["AuthorisationType"] = "Single",
            ["CompletionDateTime"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
        };
        return body.ToJsonString();
    }

    private void SetExp(JsonObject claims, string exp)
    {
        var now = Clock.GetUtcNow();
        switch (exp)
        {
            case "none":
                claims.Remove("exp");
                break;
            case "2h":
                claims["exp"] = now.AddHours(2).ToUnixTimeSeconds();
                break;
            case "59m":
                claims["exp"] = now.AddMinutes(59).ToUnixTimeSeconds();
                break;
            case "nbf-11m":
                claims["nbf"] = now.AddMinutes(11).ToUnixTimeSeconds();
                break;
            case "nbf-5m":
                claims["nbf"] = now.AddMinutes(5).ToUnixTimeSeconds();
                break;
            default:
                claims["exp"] = now.AddSeconds(-1).ToUnixTimeSeconds();
                break;
        }
    }
}

/// <summary>Class 4: the iat tolerance is an option (here one minute).</summary>
public sealed class JwsIatToleranceOptionTests : ConformanceTestBase
{
    protected override void Configure(SandboxOptions options) => options.JwsIatTolerance = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(-2, HttpStatusCode.BadRequest)]
    [InlineData(-0.5, HttpStatusCode.Created)]
    public async Task ConfiguredTolerance_Applies(double minutes, HttpStatusCode expected)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Utf8(ConsentJson());
        var jws = Tpp.Sign(body, h => h["http://openbanking.org.uk/iat"] = Clock.GetUtcNow().AddMinutes(minutes).ToUnixTimeSeconds());

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-tol", jws: jws);

        response.StatusCode.ShouldBe(expected, await response.Content.ReadAsStringAsync());
        Bank.ConsentCount.ShouldBe(expected == HttpStatusCode.Created ? 1 : 0);
    }
}

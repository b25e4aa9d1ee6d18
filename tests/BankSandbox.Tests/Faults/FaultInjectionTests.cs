using System.Net;
using System.Text.Json.Nodes;
using System.Net.Http.Json;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Faults;

public sealed class FaultInjectionTests : SandboxTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.UnexpectedError")]
    [InlineData(PisVersion.V4, "U000")]
    public async Task ServerError_OnConsentPost_500ObErrorAndNothingCreated(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-payment-consents" });
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();

        using var failed = await Tpp.PostAsync(version, "domestic-payment-consents", body, cc, "k");
        var error = await ReadValidAsync(failed, version, "POST", "/domestic-payment-consents", HttpStatusCode.InternalServerError);
        ErrorCode(error).ShouldBe(code);
        failed.Headers.Contains("x-jws-signature").ShouldBeTrue();
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(0);

        using var retried = await Tpp.PostAsync(version, "domestic-payment-consents", body, cc, "k");
        retried.StatusCode.ShouldBe(HttpStatusCode.Created);
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(1);
        Bank.Faults.Active.ShouldBeEmpty();
    }

    [Fact]
    public async Task ServerError_OnPaymentPost_ConsentStaysAuthorisedRetryPaysOnce()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation("4.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, PathPrefix = "/open-banking/v4.0/pisp/domestic-payments", Times = 2 });
        var body = Bodies.Payment(consentId, Bodies.Initiation("4.00")).ToJsonString();

        using var a = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", body, token, "p");
        using var b = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", body, token, "p");
        using var c = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", body, token, "p");

        a.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        b.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        c.StatusCode.ShouldBe(HttpStatusCode.Created);
        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Runtime.Ledger.PaymentCount.ShouldBe(1);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 400);
    }

    [Fact]
    public async Task TooManyRequests_429WithRetryAfterAndNothingCreated()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.TooManyRequests, RetryAfterSeconds = 7, PathPrefix = "/domestic-payment-consents" });

        using var limited = await Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "k");

        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(7));
        ErrorCode((JsonObject)JsonNode.Parse(await limited.Content.ReadAsStringAsync())!).ShouldBe("UK.OBIE.UnexpectedError");
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(0);
    }

    [Fact]
    public async Task TooManyRequests_OnTokenEndpoint_NoTokenIssued()
    {
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.TooManyRequests, PathPrefix = "/as/token" });

        using var limited = await Tpp.TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = Tpp.Assertion(jti: "j-429"),
        });

        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        // The assertion's jti was not consumed: the request never reached the token endpoint.
        (await Tpp.ClientCredentialsTokenAsync()).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Latency_DelaysOnTheSandboxClock_ThenAnswers()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Method = "GET", Latency = TimeSpan.FromSeconds(30) });
        var due = Clock.GetUtcNow() + TimeSpan.FromSeconds(30);

        var pending = Tpp.GetAsync(PisVersion.V4, "domestic-payment-consents/" + consentId, cc);
        await Clock.WaitForTimerDueAtAsync(due); // the latency timer is armed
        pending.IsCompleted.ShouldBeFalse();

        Clock.Advance(TimeSpan.FromSeconds(30));
        using var response = await pending;
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public async Task DropResponseAfterCommit_PaymentExistsRetryReturnsItMoneyMovesOnce(PisVersion version)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(version, cc, Bodies.Initiation("6.00"));
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-payments" });
        var body = Bodies.Payment(consentId, Bodies.Initiation("6.00")).ToJsonString();

        await Should.ThrowAsync<HttpRequestException>(() => Tpp.PostAsync(version, "domestic-payments", body, token, "drop-key"));
        Bank.Runtime.Ledger.PaymentCount.ShouldBe(1);

        using var retry = await Tpp.PostAsync(version, "domestic-payments", body, token, "drop-key");
        var json = await ReadValidAsync(retry, version, "POST", "/domestic-payments", HttpStatusCode.Created);
        json["Data"]!["ConsentId"]!.GetValue<string>().ShouldBe(consentId);
        Bank.Runtime.Ledger.PaymentCount.ShouldBe(1);

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 600);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(600);
    }

    [Fact]
    public async Task HeaderFault_ServerErrorAndTooManyRequests_PerRequestOnly()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();

        using var error = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "h1", fault: "ServerError");
        using var limited = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "h1", fault: "TooManyRequests;retry-after=3");
        using var fine = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "h1");

        error.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(3));
        fine.StatusCode.ShouldBe(HttpStatusCode.Created);
        Bank.Runtime.Ledger.ConsentCount.ShouldBe(1);
    }

    [Fact]
    public async Task HeaderFault_DropResponseAfterCommit_ConsentCreated()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        await Should.ThrowAsync<HttpRequestException>(() =>
            Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString(), cc, "d1", fault: "DropResponseAfterCommit"));

        Bank.Runtime.Ledger.ConsentCount.ShouldBe(1);
    }

    [Fact]
    public async Task AdminHttp_AddAndClearFaults()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using (var add = await Tpp.Http.PostAsJsonAsync(new Uri("sandbox/faults", UriKind.Relative), new { kind = "TooManyRequests", method = "POST", pathPrefix = "/domestic-payment-consents", times = 5, retryAfterSeconds = 4 }))
        {
            add.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        var body = Bodies.Consent(Bodies.Initiation()).ToJsonString();
        using (var limited = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "a1"))
        {
            limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            limited.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(4));
        }

        using (var clear = await Tpp.Http.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative)))
        {
            clear.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        using var fine = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", body, cc, "a1");
        fine.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AdminHttp_UnknownKind_ProblemJson()
    {
        using var response = await Tpp.Http.PostAsJsonAsync(new Uri("sandbox/faults", UriKind.Relative), new { kind = "Meteor" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public void FaultRule_PathPrefix_RelativeMatchesBothVersionsOnly()
    {
        var rule = new FaultRule { Kind = FaultKind.ServerError, PathPrefix = "/domestic-payments" };

        rule.Matches("POST", "/open-banking/v3.1/pisp/domestic-payments").ShouldBeTrue();
        rule.Matches("GET", "/open-banking/v4.0/pisp/domestic-payments/dp-1").ShouldBeTrue();
        rule.Matches("POST", "/open-banking/v4.0/pisp/domestic-payment-consents").ShouldBeFalse();
        rule.Matches("POST", "/as/token").ShouldBeFalse();
        new FaultRule { Kind = FaultKind.ServerError, Method = "GET" }.Matches("POST", "/as/token").ShouldBeFalse();
    }
}

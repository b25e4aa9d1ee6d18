using System.Net;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class PisClientTests
{
    private static readonly PaymentInstruction Instruction = new("instr-1", "e2e-1", new Money(1050, "GBP"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, "REF");

    [Theory]
    [InlineData(ObieVersion.V3_1_11, "/open-banking/v3.1/pisp/domestic-payment-consents", "AwaitingAuthorisation")]
    [InlineData(ObieVersion.V4_0, "/open-banking/v4.0/pisp/domestic-payment-consents", "AWAU")]
    public async Task CreateConsent_BothVersions_SignedIdempotentRequestAndVerifiedResponse(ObieVersion version, string path, string status)
    {
        using var t = new TestConnector(version);
        var client = t.Clients.Get("acme");
        var consent = await client.CreateConsentAsync(Instruction, "key-1", CancellationToken.None);
        consent.Status.Code.ShouldBe(status);
        consent.Status.Kind.ShouldBe(ConsentStatusKind.AwaitingAuthorisation);
        consent.Amount.ShouldBe(Instruction.Amount);

        var post = t.Bank.Requests.Single(r => r.Method == "POST" && r.Uri.AbsolutePath == path);
        post.Headers["x-idempotency-key"].ShouldBe("key-1");
        post.Headers["authorization"].ShouldStartWith("Bearer secret-access-token-");
        Guid.TryParse(post.Headers["x-fapi-interaction-id"], out _).ShouldBeTrue();
        var jws = post.Headers["x-jws-signature"];
        var verification = await Settlement.OpenBanking.Signing.DetachedJws.VerifyAsync(jws, post.Body,
            (kid, _) => ValueTask.FromResult<System.Security.Cryptography.RSA?>(kid == "client-kid" ? LoadClientKey(t) : null),
            new Settlement.OpenBanking.Signing.JwsExpectations(t.Time.GetUtcNow(), TestConnector.ClientId), CancellationToken.None);
        verification.IsValid.ShouldBeTrue(verification.Failure);
    }

    [Fact]
    public async Task EveryCall_CarriesInteractionId()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        var consent = await client.CreateConsentAsync(Instruction, "key-1", CancellationToken.None);
        await client.GetConsentAsync(consent.ConsentId, CancellationToken.None);
        t.Bank.Requests.Where(r => r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal))
            .ShouldAllBe(r => r.Headers.ContainsKey("x-fapi-interaction-id"));
    }

    [Fact]
    public async Task Post_429WithRetryAfter_WaitsThatLongThenSucceeds()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? Throttled(3) : null);
        var consent = await client.CreateConsentAsync(Instruction, "key-429", CancellationToken.None);
        consent.ConsentId.ShouldNotBeNullOrEmpty();
        t.Time.FiredDelays.ShouldContain(TimeSpan.FromSeconds(3));
        var posts = t.Bank.Requests.Where(IsConsentPost).ToList();
        posts.Count.ShouldBe(2);
        posts.ShouldAllBe(p => p.Headers["x-idempotency-key"] == "key-429");
    }

    [Fact]
    public async Task Post_RetryAfterBeyondLimit_ThrottledWithoutRetry()
    {
        using var t = new TestConnector(configure: o => o.MaxRetryAfter = TimeSpan.FromSeconds(2));
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? Throttled(60) : null);
        var ex = await Should.ThrowAsync<BankThrottledException>(() => client.CreateConsentAsync(Instruction, "key-x", CancellationToken.None));
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(60));
        ex.IsTransient.ShouldBeTrue();
        t.Bank.Requests.Count(IsConsentPost).ShouldBe(1);
    }

    [Fact]
    public async Task Post_500ThenSuccess_RetriedWithSameKeyAndBody()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? t.Bank.Error(500, "UK.OBIE.UnexpectedError") : null);
        await client.CreateConsentAsync(Instruction, "key-500", CancellationToken.None);
        var posts = t.Bank.Requests.Where(IsConsentPost).ToList();
        posts.Count.ShouldBe(2);
        posts[0].Body.ShouldBe(posts[1].Body);
        posts[1].Headers["x-idempotency-key"].ShouldBe("key-500");
        t.Bank.Consents.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Post_ResponseDroppedAfterCommit_RetryReturnsSameResourceNothingCreatedTwice()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        var drops = 1;
        t.Bank.AfterCommit = (r, response) =>
        {
            if (IsConsentPost(r) && Interlocked.Decrement(ref drops) >= 0)
            {
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "connection aborted");
            }

            return response;
        };
        var consent = await client.CreateConsentAsync(Instruction, "key-drop", CancellationToken.None);
        t.Bank.Consents.Count.ShouldBe(1);
        t.Bank.Consents.Keys.Single().ShouldBe(consent.ConsentId);
        t.Bank.Requests.Count(IsConsentPost).ShouldBe(2);
    }

    [Fact]
    public async Task Post_400WithObieError_RejectedNotRetriedWithCodes()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? t.Bank.Error(400, "UK.OBIE.Field.Invalid") : null);
        var ex = await Should.ThrowAsync<BankRequestRejectedException>(() => client.CreateConsentAsync(Instruction, "key-400", CancellationToken.None));
        ex.ErrorCodes.ShouldBe(["UK.OBIE.Field.Invalid"]);
        ex.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ex.IsTransient.ShouldBeFalse();
        ex.InteractionId.ShouldNotBeNull();
        t.Bank.Requests.Count(IsConsentPost).ShouldBe(1);
    }

    [Fact]
    public async Task Response_BadSignature_SignatureInvalid()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r =>
        {
            if (!IsConsentPost(r))
            {
                return null;
            }

            var ok = t.Bank.Json(201, System.Text.Json.Nodes.JsonNode.Parse(ConsentJson("c-1", "10.50"))!.AsObject());
            var signature = ok.Headers.GetValues("x-jws-signature").Single();
            var forged = t.Bank.Json(201, System.Text.Json.Nodes.JsonNode.Parse(ConsentJson("c-1", "99.50"))!.AsObject());
            forged.Headers.Remove("x-jws-signature");
            forged.Headers.TryAddWithoutValidation("x-jws-signature", signature);
            return forged;
        });
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => client.CreateConsentAsync(Instruction, "key-sig", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.SignatureInvalid);
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Response_UnsignedPost_SignatureMissing()
    {
        using var t = new TestConnector();
        t.Bank.SignResponses = false;
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Clients.Get("acme").CreateConsentAsync(Instruction, "k", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.SignatureMissing);
    }

    [Fact]
    public async Task Response_AmountDiffersFromInstruction_AmountMismatch()
    {
        using var t = new TestConnector();
        t.Bank.ResponseBodyRewrite = body => body.Replace("\"10.50\"", "\"10.51\"", StringComparison.Ordinal);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Clients.Get("acme").CreateConsentAsync(Instruction, "k", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.AmountMismatch);
    }

    [Fact]
    public async Task Response_CurrencyDiffers_AmountMismatch()
    {
        using var t = new TestConnector();
        t.Bank.ResponseBodyRewrite = body => body.Replace("\"GBP\"", "\"EUR\"", StringComparison.Ordinal);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Clients.Get("acme").CreateConsentAsync(Instruction, "k", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.AmountMismatch);
    }

    [Fact]
    public async Task Response_MalformedJson_Malformed()
    {
        using var t = new TestConnector();
        t.Bank.ResponseBodyRewrite = body => body[..(body.Length / 2)];
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Clients.Get("acme").CreateConsentAsync(Instruction, "k", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.Malformed);
    }

    [Fact]
    public async Task Consent_AuthoriseHeadlessAndSubmit_PaymentCreatedOnceAcrossRepeats()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var client = t.Clients.Get("acme");
        var consent = await client.CreateConsentAsync(Instruction, "key-c", CancellationToken.None);
        var auth = await client.BuildAuthorizationUrlAsync(consent.ConsentId, CancellationToken.None);
        auth.Url.AbsoluteUri.ShouldStartWith(FakeBank.Authority + "/as/authorize?");
        auth.Url.Query.ShouldContain("code_challenge_method=S256");
        auth.Url.Query.ShouldContain("request=");
        auth.ToString().ShouldNotContain(auth.CodeVerifier);
        var code = await client.AuthorizeHeadlessAsync(auth, CancellationToken.None);
        var token = await client.CompleteAuthorizationAsync(auth, code, auth.State, CancellationToken.None);
        token.ToString().ShouldNotContain("secret-access-token");

        var funds = await client.GetFundsConfirmationAsync(consent.ConsentId, token, CancellationToken.None);
        funds.Available.ShouldBe(true);

        var first = await client.SubmitPaymentAsync(consent.ConsentId, Instruction, token, "key-p", CancellationToken.None);
        var again = await client.SubmitPaymentAsync(consent.ConsentId, Instruction, token, "key-p", CancellationToken.None);
        again.PaymentId.ShouldBe(first.PaymentId);
        t.Bank.PaymentsCreated.ShouldBe(1);
        first.Status.Code.ShouldBe("RCVD");

        t.Bank.SetPaymentStatus(first.PaymentId, "ACSC");
        (await client.GetPaymentAsync(first.PaymentId, CancellationToken.None)).Status.Kind.ShouldBe(PaymentStatusKind.SettlementCompleted);
        var details = await client.GetPaymentDetailsAsync(first.PaymentId, CancellationToken.None);
        details.Single().Status.Code.ShouldBe("ACSC");

        var tokenRequest = t.Bank.Requests.Last(r => r.Uri.AbsolutePath == "/as/token");
        tokenRequest.BodyText.ShouldContain("code_verifier=" + auth.CodeVerifier);
        tokenRequest.BodyText.ShouldContain("client_assertion=");
    }

    [Fact]
    public async Task Authorise_CustomerDeclines_AccessDenied()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        var consent = await client.CreateConsentAsync(Instruction, "key-c", CancellationToken.None);
        t.Bank.Decision = "decline";
        var auth = await client.BuildAuthorizationUrlAsync(consent.ConsentId, CancellationToken.None);
        var ex = await Should.ThrowAsync<BankAuthorizationException>(() => client.AuthorizeHeadlessAsync(auth, CancellationToken.None));
        ex.Error.ShouldBe("access_denied");
    }

    [Fact]
    public async Task CompleteAuthorization_StateFromAnotherRequest_Refused()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        var auth = await client.BuildAuthorizationUrlAsync("c-1", CancellationToken.None);
        var ex = await Should.ThrowAsync<BankAuthorizationException>(() => client.CompleteAuthorizationAsync(auth, "code", "forged-state", CancellationToken.None));
        ex.Error.ShouldBe("state_mismatch");
    }

    [Fact]
    public async Task Failures_NeverLogOrThrowSecrets()
    {
        using var t = new TestConnector(configure: o => o.ClientSecret = "super-secret-value");
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? t.Bank.Error(400, "UK.OBIE.Field.Invalid") : null);
        var ex = await Should.ThrowAsync<BankRequestRejectedException>(() => client.CreateConsentAsync(Instruction, "k", CancellationToken.None));
        var tokenRequest = t.Bank.Requests.Single(r => r.Uri.AbsolutePath == "/as/token");
        tokenRequest.BodyText.ShouldContain("client_secret=super-secret-value");
        var everything = ex.ToString() + string.Join('\n', t.Logs.Lines);
        everything.ShouldNotContain("super-secret-value");
        everything.ShouldNotContain("secret-access-token");
        everything.ShouldNotContain("PRIVATE KEY");
    }

    private static bool IsConsentPost(RecordedRequest r) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal);

    private static HttpResponseMessage Throttled(int seconds)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    private static string ConsentJson(string id, string amount) =>
        """{"Data":{"ConsentId":"ID","Status":"AwaitingAuthorisation","CreationDateTime":"2026-11-22T00:00:00Z","StatusUpdateDateTime":"2026-11-22T00:00:00Z","Initiation":{"InstructionIdentification":"instr-1","EndToEndIdentification":"e2e-1","InstructedAmount":{"Amount":"AMOUNT","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"04000412345678","Name":"Platform"}}},"Risk":{}}"""
            .Replace("ID", id, StringComparison.Ordinal).Replace("AMOUNT", amount, StringComparison.Ordinal);

    private static System.Security.Cryptography.RSA LoadClientKey(TestConnector t)
    {
        var dir = Path.GetDirectoryName(t.DatabasePath)!;
        var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Path.Combine(dir, "client.pem")));
        return rsa;
    }
}

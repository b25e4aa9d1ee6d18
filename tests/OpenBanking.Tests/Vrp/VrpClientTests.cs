using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Vrp;

namespace Settlement.OpenBanking.Tests.Vrp;

public sealed class VrpClientTests
{
    private const string ConsentsPath = "/open-banking/v4.0/pisp/domestic-vrp-consents";
    private const string VrpsPath = "/open-banking/v4.0/pisp/domestic-vrps";
    private static readonly AccountIdentification Platform = new("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform");
    private static readonly AccountIdentification Payer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    private static readonly VrpConsentTerms Terms = new(5_000,
        [new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Calendar, 20_000), new VrpPeriodicLimit(VrpPeriodType.HalfYear, VrpPeriodAlignment.Consent, 60_000)],
        new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 11, 22, 0, 0, 0, TimeSpan.Zero), Payer);

    [Fact]
    public async Task CreateConsent_SignedIdempotentSweepingRequest_ControlParametersReadBack()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == ConsentsPath ? t.Bank.Json(201, ConsentResponse(t, JsonNode.Parse(r.Body)!, "AWAU")) : null);
        var consent = await Client(t).CreateConsentAsync(Terms, "vrpc-key-1", CancellationToken.None);

        consent.Status.ShouldBe(VrpConsentStatus.AwaitingAuthorisation);
        consent.Terms.MaximumIndividualMinor.ShouldBe(5_000);
        consent.Terms.PeriodicLimits.ShouldBe(Terms.PeriodicLimits);
        consent.Terms.ValidTo.ShouldBe(Terms.ValidTo);
        consent.Creditor.Identification.ShouldBe(Platform.Identification);

        var post = t.Bank.Requests.Single(r => r.Method == "POST" && r.Uri.AbsolutePath == ConsentsPath);
        post.Headers["x-idempotency-key"].ShouldBe("vrpc-key-1");
        post.Headers.ShouldContainKey("x-jws-signature");
        Guid.TryParse(post.Headers["x-fapi-interaction-id"], out _).ShouldBeTrue();
        var cp = JsonNode.Parse(post.Body)!["Data"]!["ControlParameters"]!;
        cp["VRPType"]![0]!.GetValue<string>().ShouldBe("UK.OBIE.VRPType.Sweeping");
        cp["MaximumIndividualAmount"]!["Amount"]!.GetValue<string>().ShouldBe("50.00");
        cp["PeriodicLimits"]![1]!["PeriodType"]!.GetValue<string>().ShouldBe("Half-year");
        cp["PeriodicLimits"]![1]!["Amount"]!.GetValue<string>().ShouldBe("600.00");
        cp["ValidToDateTime"]!.GetValue<string>().ShouldBe("2027-11-22T00:00:00+00:00");
    }

    [Fact]
    public async Task CreateConsent_BankAnswersOtherLimits_ResourceMismatch()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == ConsentsPath
            ? t.Bank.Json(201, ConsentResponse(t, JsonNode.Parse(r.Body)!, "AWAU", cp => cp["MaximumIndividualAmount"]!["Amount"] = "500.00"))
            : null);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => Client(t).CreateConsentAsync(Terms, "k", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
    }

    [Fact]
    public async Task CreateConsent_UnusableTerms_RefusedBeforeAnythingIsSent()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var fortnightCalendar = Terms with { PeriodicLimits = [new VrpPeriodicLimit(VrpPeriodType.Fortnight, VrpPeriodAlignment.Calendar, 100)] };
        await Should.ThrowAsync<ArgumentException>(() => Client(t).CreateConsentAsync(fortnightCalendar, "k", CancellationToken.None));
        await Should.ThrowAsync<ArgumentException>(() => Client(t).CreateConsentAsync(Terms with { PeriodicLimits = [] }, "k", CancellationToken.None));
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_OnAv3Bank_RefusedWithTheSettingNamed()
    {
        using var t = new TestConnector(ObieVersion.V3_1_11);
        Should.Throw<InvalidOperationException>(() => t.Clients.GetVrp("acme")).Message.ShouldContain("SpecVersion");
    }

    [Fact]
    public async Task SubmitPayment_LimitRefusal_ReturnedAsDataNotThrown()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Error(400, "U014") : null);
        var result = await Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-1", Tokens(t), "vrp-key-1", null, CancellationToken.None);
        result.Payment.ShouldBeNull();
        result.IsLimitRefusal.ShouldBeTrue();
        result.RefusalCodes.ShouldBe(["U014"]);
    }

    [Fact]
    public async Task SubmitPayment_RequestCarriesTheConsentInitiationAndSweepingInstruction()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Json(201, PaymentResponse(t, JsonNode.Parse(r.Body)!, "RCVD")) : null);
        var result = await Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-abc", Tokens(t), "vrp-key-2", null, CancellationToken.None);
        result.Payment!.Status.Code.ShouldBe("RCVD");
        result.Payment.AmountMinor.ShouldBe(2_000);

        var post = t.Bank.Requests.Single(r => r.Uri.AbsolutePath == VrpsPath);
        post.Headers["authorization"].ShouldBe("Bearer consent-access");
        post.Headers["x-idempotency-key"].ShouldBe("vrp-key-2");
        var data = JsonNode.Parse(post.Body)!["Data"]!;
        data["VRPType"]!.GetValue<string>().ShouldBe("UK.OBIE.VRPType.Sweeping");
        data["Initiation"]!["DebtorAccount"]!["Identification"]!.GetValue<string>().ShouldBe(Payer.Identification);
        data["Instruction"]!["InstructedAmount"]!["Amount"]!.GetValue<string>().ShouldBe("20.00");
        data["Instruction"]!["CreditorAccount"]!["Identification"]!.GetValue<string>().ShouldBe(Platform.Identification);
    }

    [Fact]
    public async Task SubmitPayment_401_RefreshesOnceAndRepeatsTheSameBytes()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Error(401, "U006") : null);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Json(201, PaymentResponse(t, JsonNode.Parse(r.Body)!, "RCVD")) : null);
        var renewed = new List<VrpConsentTokens>();
        var result = await Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-401", Tokens(t), "vrp-key-401",
            (tokens, _) => { renewed.Add(tokens); return ValueTask.CompletedTask; }, CancellationToken.None);

        result.Payment.ShouldNotBeNull();
        renewed.Count.ShouldBe(1);
        var posts = t.Bank.Requests.Where(r => r.Uri.AbsolutePath == VrpsPath).ToList();
        posts.Count.ShouldBe(2);
        posts[1].Body.ShouldBe(posts[0].Body);
        posts[1].Headers["x-idempotency-key"].ShouldBe("vrp-key-401");
        posts[1].Headers["authorization"].ShouldNotBe(posts[0].Headers["authorization"]);
        var grant = HttpUtility.ParseQueryString(Encoding.ASCII.GetString(t.Bank.Requests.Last(r => r.Uri.AbsolutePath == "/as/token").Body));
        grant["grant_type"].ShouldBe("refresh_token");
        grant["refresh_token"].ShouldBe("consent-refresh");
    }

    [Fact]
    public async Task SubmitPayment_401AfterRefreshToo_AuthenticationErrorNoThirdAttempt()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Error(401, "U006") : null);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Error(401, "U006") : null);
        await Should.ThrowAsync<BankAuthenticationException>(() => Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-x", Tokens(t), "vrp-key-x", null, CancellationToken.None));
        t.Bank.Requests.Count(r => r.Uri.AbsolutePath == VrpsPath).ShouldBe(2);
    }

    [Fact]
    public async Task SubmitPayment_UnsignedAnswer_SignatureMissing()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath ? t.Bank.Json(201, PaymentResponse(t, JsonNode.Parse(r.Body)!, "RCVD"), sign: false) : null);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-u", Tokens(t), "vrp-key-u", null, CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.SignatureMissing);
    }

    [Fact]
    public async Task SubmitPayment_SignedAnswerNotUtf8_MalformedNotAnInvalidOperation()
    {
        // 0xC3 0x28 (a lead byte then '(') inside the payment's Status, signed by the bank: JsonNode parses it and throws
        // InvalidOperationException only when the string is read.
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r =>
        {
            if (r.Uri.AbsolutePath != VrpsPath)
            {
                return null;
            }

            var text = PaymentResponse(t, JsonNode.Parse(r.Body)!, "RCVD").ToJsonString();
            var at = text.IndexOf("\"Status\":\"", StringComparison.Ordinal) + "\"Status\":\"".Length;
            return t.Bank.Bytes(201, [.. Encoding.UTF8.GetBytes(text[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(text[at..])]);
        });

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-8", Tokens(t), "vrp-key-8", null, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.Malformed);
        ex.Message.ShouldStartWith("Bank 'acme': Malformed: not UTF-8");
    }

    [Fact]
    public async Task SubmitPayment_AnswerForAnotherAmount_ResourceMismatch()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == VrpsPath
            ? t.Bank.Json(201, PaymentResponse(t, JsonNode.Parse(r.Body)!, "RCVD", d => d["Instruction"]!["InstructedAmount"]!["Amount"] = "20.01"))
            : null);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => Client(t).SubmitPaymentAsync(Consent(), 2_000, "sw-m", Tokens(t), "vrp-key-m", null, CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
    }

    [Fact]
    public async Task ConfirmFunds_ReadsAvailableAndNotAvailable()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        foreach (var answer in new[] { "Available", "NotAvailable" })
        {
            t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath.EndsWith("/funds-confirmation", StringComparison.Ordinal)
                ? t.Bank.Json(201, new JsonObject
                {
                    ["Data"] = new JsonObject
                    {
                        ["FundsConfirmationId"] = "fc-1",
                        ["ConsentId"] = "vrpc-1",
                        ["CreationDateTime"] = "2026-11-22T00:00:00+00:00",
                        ["FundsAvailableResult"] = new JsonObject { ["FundsAvailableDateTime"] = "2026-11-22T00:00:00+00:00", ["FundsAvailable"] = answer },
                        ["InstructedAmount"] = new JsonObject { ["Amount"] = "20.00", ["Currency"] = "GBP" },
                    },
                })
                : null);
        }

        (await Client(t).ConfirmFundsAsync("vrpc-1", 2_000, Tokens(t), null, CancellationToken.None)).Available.ShouldBe(true);
        (await Client(t).ConfirmFundsAsync("vrpc-1", 2_000, Tokens(t), null, CancellationToken.None)).Available.ShouldBe(false);
    }

    [Fact]
    public void Keys_DerivedFromTheOperationId_StableAndWithinObieLengths()
    {
        VrpClient.IdempotencyKeyFor("op-1").ShouldBe(VrpClient.IdempotencyKeyFor("op-1"));
        VrpClient.IdempotencyKeyFor("op-1").ShouldNotBe(VrpClient.IdempotencyKeyFor("op-2"));
        VrpClient.IdempotencyKeyFor(new string('x', 500)).Length.ShouldBeLessThanOrEqualTo(40);
        VrpClient.InstructionIdFor(new string('x', 500)).Length.ShouldBeLessThanOrEqualTo(35);
    }

    [Fact]
    public async Task CompleteAuthorization_IdTokenCarriesTheRequestsNonce_TokensReturned()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var auth = await Client(t).BuildAuthorizationUrlAsync("vrpc-1", CancellationToken.None);
        var code = await Client(t).AuthorizeHeadlessAsync(auth, CancellationToken.None);

        var tokens = await Client(t).CompleteAuthorizationAsync(auth, code, auth.State, CancellationToken.None);

        tokens.Access.ExpiresOn.ShouldBe(t.Time.GetUtcNow().AddHours(1));
        t.Bank.IssuedCodes[code].ShouldBe((auth.Nonce, "vrpc-1"));
    }

    [Theory]
    [InlineData(null, "id_token nonce missing")]
    [InlineData("nonce-of-another-request", "id_token nonce does not match the authorisation request")]
    public async Task CompleteAuthorization_IdTokenNonceMissingOrOther_IdTokenInvalidNoTokens(string? nonce, string reason)
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.IdTokenEdit = c =>
        {
            c.Remove("nonce");
            if (nonce is not null)
            {
                c["nonce"] = nonce;
            }
        };
        var auth = await Client(t).BuildAuthorizationUrlAsync("vrpc-1", CancellationToken.None);
        var code = await Client(t).AuthorizeHeadlessAsync(auth, CancellationToken.None);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => Client(t).CompleteAuthorizationAsync(auth, code, auth.State, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.IdTokenInvalid);
        ex.Detail.ShouldBe(reason);
    }

    private static VrpClient Client(TestConnector t) => t.Clients.GetVrp("acme");

    private static VrpConsentTokens Tokens(TestConnector t) =>
        new(new AccessToken("consent-access", t.Time.GetUtcNow().AddHours(1)), "consent-refresh");

    private static VrpConsent Consent() => new("vrpc-1", VrpConsentStatus.Authorised, "AUTH", new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), Terms, Platform, Payer);

    private static JsonObject ConsentResponse(TestConnector t, JsonNode request, string status, Action<JsonObject>? editControlParameters = null)
    {
        var cp = request["Data"]!["ControlParameters"]!.DeepClone().AsObject();
        editControlParameters?.Invoke(cp);
        return new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["ConsentId"] = "vrpc-1",
                ["CreationDateTime"] = t.Time.GetUtcNow().ToString("O"),
                ["Status"] = status,
                ["StatusUpdateDateTime"] = t.Time.GetUtcNow().ToString("O"),
                ["ControlParameters"] = cp,
                ["Initiation"] = request["Data"]!["Initiation"]!.DeepClone(),
            },
            ["Risk"] = new JsonObject(),
            ["Links"] = new JsonObject { ["Self"] = FakeBank.Authority + ConsentsPath + "/vrpc-1" },
            ["Meta"] = new JsonObject(),
        };
    }

    private static JsonObject PaymentResponse(TestConnector t, JsonNode request, string status, Action<JsonObject>? edit = null)
    {
        var data = new JsonObject
        {
            ["DomesticVRPId"] = "vrp-1",
            ["ConsentId"] = request["Data"]!["ConsentId"]!.DeepClone(),
            ["CreationDateTime"] = t.Time.GetUtcNow().ToString("O"),
            ["Status"] = status,
            ["StatusUpdateDateTime"] = t.Time.GetUtcNow().ToString("O"),
            ["Initiation"] = request["Data"]!["Initiation"]!.DeepClone(),
            ["Instruction"] = request["Data"]!["Instruction"]!.DeepClone(),
        };
        edit?.Invoke(data);
        return new JsonObject
        {
            ["Data"] = data,
            ["Risk"] = new JsonObject(),
            ["Links"] = new JsonObject { ["Self"] = FakeBank.Authority + VrpsPath + "/vrp-1" },
            ["Meta"] = new JsonObject(),
        };
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Vrp;

public sealed class VrpConformanceTests : VrpTestBase
{
    [Fact]
    public async Task Sweeping_ConsentAuthoriseThreePayments_EachSettlesOnceAndConsentStaysAuthorised()
    {
        var (consentId, token, cc) = await AuthorisedConsentAsync();
        using (var consent = await Tpp.GetAsync(V4, "domestic-vrp-consents/" + consentId, cc))
        {
            var json = await ReadVrpAsync(consent, "GET", "/domestic-vrp-consents/{ConsentId}", HttpStatusCode.OK);
            json["Data"]!["Status"]!.GetValue<string>().ShouldBe("AUTH");
            json["Data"]!["DebtorAccount"]!["Identification"]!.GetValue<string>().ShouldBe(Bodies.Customer);
            json["Data"]!["ControlParameters"]!["MaximumIndividualAmount"]!["Amount"]!.GetValue<string>().ShouldBe("50.00");
        }

        var ids = new List<string>();
        foreach (var amount in new[] { "10.00", "20.00", "30.00" })
        {
            ids.Add(await PayOkAsync(token, consentId, amount));
        }

        Clock.Advance(TimeSpan.FromSeconds(3));
        foreach (var id in ids)
        {
            using var get = await Tpp.GetAsync(V4, "domestic-vrps/" + id, cc);
            var json = await ReadVrpAsync(get, "GET", "/domestic-vrps/{DomesticVRPId}", HttpStatusCode.OK);
            json["Data"]!["Status"]!.GetValue<string>().ShouldBe("ACSC");
            json["Data"]!["Refund"]!["Identification"]!.GetValue<string>().ShouldBe(Bodies.Customer);
        }

        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 6_000);
        Bank.Accounts.GetBalance(Bodies.Platform).ShouldBe(6_000);
        (await ConsentStatusAsync(cc, consentId)).ShouldBe("AUTH");

        using var details = await Tpp.GetAsync(V4, $"domestic-vrps/{ids[0]}/payment-details", token);
        var detailsJson = await ReadVrpAsync(details, "GET", "/domestic-vrps/{DomesticVRPId}/payment-details", HttpStatusCode.OK);
        detailsJson["Data"]!["PaymentStatus"]!.AsArray().Select(s => s!["Status"]!.GetValue<string>()).ShouldBe(["RCVD", "ACSP", "ACSC"]);

        // The PIS endpoints do not serve VRP resources.
        using var asPis = await Tpp.GetAsync(V4, "domestic-payments/" + ids[0], cc);
        (await ErrorAsync(asPis, HttpStatusCode.BadRequest)).Code.ShouldBe("U011");
    }

    public static TheoryData<string, JsonArray, string[], string, string> LimitCases => new()
    {
        // maximum, limits, earlier payments, refused amount, expected Path
        { "50.00", new JsonArray(Limit("Day", "Consent", "100.00")), [], "50.01", "Data.ControlParameters.MaximumIndividualAmount" },
        { "50.00", new JsonArray(Limit("Day", "Consent", "100.00")), ["50.00", "40.00"], "10.01", "Data.ControlParameters.PeriodicLimits[0]" },
        { "50.00", new JsonArray(Limit("Week", "Calendar", "1000.00"), Limit("Month", "Calendar", "60.00")), ["30.00"], "30.01", "Data.ControlParameters.PeriodicLimits[1]" },
        { "50.00", new JsonArray(Limit("Fortnight", "Consent", "25.00")), ["25.00"], "0.01", "Data.ControlParameters.PeriodicLimits[0]" },
        { "500.00", new JsonArray(Limit("Year", "Calendar", "400.00"), Limit("Half-year", "Consent", "300.00")), ["200.00"], "100.01", "Data.ControlParameters.PeriodicLimits[1]" },
    };

    [Theory]
    [MemberData(nameof(LimitCases))]
    public async Task Payment_BreakingAControlParameter_400FailsControlParametersAndNothingChanges(string maximum, JsonArray limits, string[] earlier, string refused, string path)
    {
        var (consentId, token, _) = await AuthorisedConsentAsync(ConsentBody(maximum, limits));
        foreach (var amount in earlier)
        {
            await PayOkAsync(token, consentId, amount);
        }

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        var balance = Bank.Accounts.GetBalance(Bodies.Customer);
        var payments = Bank.PaymentCount;

        using var response = await PayAsync(token, consentId, refused);
        var (code, errorPath) = await ErrorAsync(response, HttpStatusCode.BadRequest);
        code.ShouldBe("U014");
        errorPath.ShouldBe(path);

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.PaymentCount.ShouldBe(payments);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(balance);
    }

    [Fact]
    public async Task Payment_NextConsentAlignedDay_LimitIsFreshAgain()
    {
        var (consentId, token, _, refresh) = await AuthorisedWithRefreshAsync();
        await PayOkAsync(token, consentId, "50.00");
        await PayOkAsync(token, consentId, "50.00");
        using (var refused = await PayAsync(token, consentId, "0.01"))
        {
            (await ErrorAsync(refused, HttpStatusCode.BadRequest)).Code.ShouldBe("U014");
        }

        Clock.Advance(TimeSpan.FromDays(1));
        // The access token expired after an hour of sandbox time; the refresh token gives a new one bound to the consent.
        var fresh = await RefreshAsync(refresh);
        await PayOkAsync(fresh, consentId, "50.00");
        (await ConsentStatusAsync(await Tpp.ClientCredentialsTokenAsync(), consentId)).ShouldBe("AUTH");
    }

    [Fact]
    public async Task Payment_RejectedAtSettlement_DoesNotCountAgainstTheLimit()
    {
        Bank.Accounts.Set(new Accounts.SandboxAccount { Identification = Bodies.Customer, Name = "Customer", BalanceMinor = 3_000 });
        var (consentId, token, cc) = await AuthorisedConsentAsync(ConsentBody("50.00", new JsonArray(Limit("Day", "Consent", "60.00"))));
        var rejected = await PayOkAsync(token, consentId, "40.00");
        Clock.Advance(TimeSpan.FromSeconds(3));
        using (var get = await Tpp.GetAsync(V4, "domestic-vrps/" + rejected, cc))
        {
            var json = await ReadVrpAsync(get, "GET", "/domestic-vrps/{DomesticVRPId}", HttpStatusCode.OK);
            json["Data"]!["Status"]!.GetValue<string>().ShouldBe("RJCT");
            json["Data"]!["StatusReason"]![0]!["StatusReasonCode"]!.GetValue<string>().ShouldBe("AM04");
        }

        await PayOkAsync(token, consentId, "30.00");
        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(0);
    }

    [Fact]
    public async Task Consent_PastValidTo_ExpiredAndRefusesPaymentsAndFundsConfirmation()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync(ConsentBody(validTo: Clock.GetUtcNow().AddMinutes(30)));
        await PayOkAsync(token, consentId, "10.00");
        Clock.Advance(TimeSpan.FromMinutes(31));
        var cc = await Tpp.ClientCredentialsTokenAsync();
        (await ConsentStatusAsync(cc, consentId)).ShouldBe("EXPD");
        var payments = Bank.PaymentCount;

        using (var pay = await PayAsync(token, consentId, "10.00"))
        {
            (await ErrorAsync(pay, HttpStatusCode.BadRequest)).ShouldBe(("U009", "Data.ConsentId"));
        }

        using (var funds = await FundsAsync(token, consentId, "1.00"))
        {
            (await ErrorAsync(funds, HttpStatusCode.BadRequest)).Code.ShouldBe("U009");
        }

        Bank.PaymentCount.ShouldBe(payments);
    }

    [Fact]
    public async Task Consent_Deleted_RevokedRefusesPaymentsAndRefresh()
    {
        var (consentId, token, cc, refresh) = await AuthorisedWithRefreshAsync();
        using (var delete = await Tpp.SendRawAsync(HttpMethod.Delete, V4, "domestic-vrp-consents/" + consentId, null, cc))
        {
            await ReadVrpAsync(delete, "DELETE", "/domestic-vrp-consents/{ConsentId}", HttpStatusCode.NoContent);
        }

        using (var again = await Tpp.SendRawAsync(HttpMethod.Delete, V4, "domestic-vrp-consents/" + consentId, null, cc))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        (await ConsentStatusAsync(cc, consentId)).ShouldBe("CANC");
        using (var pay = await PayAsync(token, consentId, "10.00"))
        {
            (await ErrorAsync(pay, HttpStatusCode.BadRequest)).Code.ShouldBe("U009");
        }

        using var refreshed = await Tpp.TokenRequestAsync(RefreshForm(refresh));
        refreshed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refreshed.Content.ReadAsStringAsync()).ShouldContain("invalid_grant");
        Bank.PaymentCount.ShouldBe(0);
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);
    }

    [Fact]
    public async Task Consent_NotYetAuthorised_PaymentAndFundsNeedTheCustomersToken()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateVrpConsentAsync(cc, ConsentBody());
        using (var pay = await PayAsync(cc, consentId, "10.00"))
        {
            (await ErrorAsync(pay, HttpStatusCode.Forbidden)).Code.ShouldBe("U006");
        }

        using (var funds = await FundsAsync(cc, consentId, "10.00"))
        {
            (await ErrorAsync(funds, HttpStatusCode.Forbidden)).Code.ShouldBe("U006");
        }

        // A token bound to another (authorised) consent does not reach this one.
        var (_, otherToken, _) = await AuthorisedConsentAsync();
        using (var pay = await PayAsync(otherToken, consentId, "10.00"))
        {
            (await ErrorAsync(pay, HttpStatusCode.Forbidden)).Code.ShouldBe("U006");
        }

        (await ConsentStatusAsync(cc, consentId)).ShouldBe("AWAU");
        Bank.PaymentCount.ShouldBe(0);
    }

    [Fact]
    public async Task FundsConfirmation_AuthorisedConsent_AnswersFromTheDebtorBalance()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync();
        using (var available = await FundsAsync(token, consentId, "1000.00"))
        {
            var json = await ReadVrpAsync(available, "POST", "/domestic-vrp-consents/{ConsentId}/funds-confirmation", HttpStatusCode.Created);
            json["Data"]!["FundsAvailableResult"]!["FundsAvailable"]!.GetValue<string>().ShouldBe("Available");
            json["Data"]!["ConsentId"]!.GetValue<string>().ShouldBe(consentId);
            json["Data"]!["Reference"]!.GetValue<string>().ShouldBe("top-up");
        }

        using (var short_ = await FundsAsync(token, consentId, "1000.01"))
        {
            (await ReadVrpAsync(short_, "POST", "/domestic-vrp-consents/{ConsentId}/funds-confirmation", HttpStatusCode.Created))
                ["Data"]!["FundsAvailableResult"]!["FundsAvailable"]!.GetValue<string>().ShouldBe("NotAvailable");
        }

        // Unsigned → Signature.Missing; another consent id in the body → ConsentMismatch.
        using (var unsigned = await Tpp.PostAsync(V4, $"domestic-vrp-consents/{consentId}/funds-confirmation", "{\"Data\":{\"ConsentId\":\"" + consentId + "\",\"InstructedAmount\":{\"Amount\":\"1.00\",\"Currency\":\"GBP\"}}}", token, null, sign: false))
        {
            (await ErrorAsync(unsigned, HttpStatusCode.BadRequest)).Code.ShouldBe("U019");
        }

        using var mismatch = await Tpp.PostAsync(V4, $"domestic-vrp-consents/{consentId}/funds-confirmation", "{\"Data\":{\"ConsentId\":\"other\",\"InstructedAmount\":{\"Amount\":\"1.00\",\"Currency\":\"GBP\"}}}", token, null);
        (await ErrorAsync(mismatch, HttpStatusCode.BadRequest)).ShouldBe(("U008", "Data.ConsentId"));
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000);
    }

    [Fact]
    public async Task Payment_RepeatedWithSameKey_OnePaymentMoneyOnce_OtherBodyRefused()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync();
        var first = await PayOkAsync(token, consentId, "25.00", key: "sweep-key-1");
        var second = await PayOkAsync(token, consentId, "25.00", key: "sweep-key-1");
        second.ShouldBe(first);
        Bank.PaymentCount.ShouldBe(1);

        using (var other = await PayAsync(token, consentId, "26.00", key: "sweep-key-1"))
        {
            (await ErrorAsync(other, HttpStatusCode.BadRequest)).ShouldBe(("U006", "x-idempotency-key"));
        }

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 2_500);
        Bank.PaymentCount.ShouldBe(1);
    }

    [Fact]
    public async Task Consent_RepeatedWithSameKey_OneConsent()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = ConsentBody();
        var a = await CreateVrpConsentAsync(cc, body, "consent-key");
        var b = await CreateVrpConsentAsync(cc, body, "consent-key");
        b.ShouldBe(a);
        Bank.ConsentCount.ShouldBe(1);
    }

    public static TheoryData<string, string, string> BadConsents => new()
    {
        { "fortnight-calendar", "U002", "Data.ControlParameters.PeriodicLimits[0].PeriodAlignment" },
        { "other-only", "U002", "Data.ControlParameters.VRPType" },
        { "unknown-type", "U002", "Data.ControlParameters.VRPType[0]" },
        { "valid-to-past", "U003", "Data.ControlParameters.ValidToDateTime" },
        { "euro-limit", "U023", "Data.ControlParameters.PeriodicLimits[0].Currency" },
        { "no-control-parameters", "U004", null! },
        { "no-creditor", "U004", "Data.Initiation.CreditorAccount" },
        { "bad-alignment", "U002", null! },
    };

    [Theory]
    [MemberData(nameof(BadConsents))]
    public async Task Consent_InvalidControlParameters_RefusedAndNothingStored(string kind, string code, string? path)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = ConsentBody(edit: b =>
        {
            var data = b["Data"]!.AsObject();
            var cp = data["ControlParameters"]!.AsObject();
            switch (kind)
            {
                case "fortnight-calendar": cp["PeriodicLimits"] = new JsonArray(Limit("Fortnight", "Calendar", "10.00")); break;
                case "other-only": cp["VRPType"] = new JsonArray("UK.OBIE.VRPType.Other"); break;
                case "unknown-type": cp["VRPType"] = new JsonArray("UK.OBIE.VRPType.Card"); break;
                case "valid-to-past": cp["ValidToDateTime"] = "2026-03-01T00:00:00+00:00"; break;
                case "euro-limit": cp["PeriodicLimits"]![0]!["Currency"] = "EUR"; break;
                case "no-control-parameters": data.Remove("ControlParameters"); break;
                case "no-creditor": data["Initiation"]!.AsObject().Remove("CreditorAccount"); break;
                case "bad-alignment": cp["PeriodicLimits"]![0]!["PeriodAlignment"] = "Lunar"; break;
            }
        });
        using var response = await Tpp.PostAsync(V4, "domestic-vrp-consents", body.ToJsonString(), cc, "bad-" + kind);
        var (actual, actualPath) = await ErrorAsync(response, HttpStatusCode.BadRequest);
        actual.ShouldBe(code);
        if (path is not null)
        {
            actualPath.ShouldBe(path);
        }

        Bank.ConsentCount.ShouldBe(0);

        // The key was not spent: the corrected body under the same key succeeds.
        await CreateVrpConsentAsync(cc, ConsentBody(), "bad-" + kind);
    }

    [Fact]
    public async Task Payment_MismatchedInitiationOrCreditor_ConsentMismatch()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync();
        var otherDebtor = PaymentBody(consentId, "10.00", edit: b => b["Data"]!["Initiation"]!["DebtorAccount"]!["Identification"] = Bodies.Merchant);
        using (var r = await Tpp.PostAsync(V4, "domestic-vrps", otherDebtor.ToJsonString(), token, "k1"))
        {
            (await ErrorAsync(r, HttpStatusCode.BadRequest)).ShouldBe(("U008", "Data.Initiation"));
        }

        var otherCreditor = PaymentBody(consentId, "10.00", edit: b => b["Data"]!["Instruction"]!["CreditorAccount"]!["Identification"] = Bodies.Merchant);
        using (var r = await Tpp.PostAsync(V4, "domestic-vrps", otherCreditor.ToJsonString(), token, "k2"))
        {
            (await ErrorAsync(r, HttpStatusCode.BadRequest)).ShouldBe(("U008", "Data.Instruction.CreditorAccount"));
        }

        var scaUsed = PaymentBody(consentId, "10.00", edit: b => b["Data"]!["PSUAuthenticationMethod"] = "UK.OBIE.SCA");
        using (var r = await Tpp.PostAsync(V4, "domestic-vrps", scaUsed.ToJsonString(), token, "k3"))
        {
            (await ErrorAsync(r, HttpStatusCode.BadRequest)).ShouldBe(("U014", "Data.PSUAuthenticationMethod"));
        }

        Bank.PaymentCount.ShouldBe(0);
    }

    [Fact]
    public async Task Faults_ServerErrorAndFailBeforeCommit_NothingStored_DropAfterCommit_RetryReturnsThePayment()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync();
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-vrps" });
        using (var r = await PayAsync(token, consentId, "10.00", key: "f-1"))
        {
            (await ErrorAsync(r, HttpStatusCode.InternalServerError)).Code.ShouldBe("U000");
        }

        Bank.Faults.Add(new FaultRule { Kind = FaultKind.FailBeforeCommit, Method = "POST", PathPrefix = "/domestic-vrps" });
        using (var r = await PayAsync(token, consentId, "10.00", key: "f-1"))
        {
            (await ErrorAsync(r, HttpStatusCode.InternalServerError)).Code.ShouldBe("U000");
        }

        Bank.PaymentCount.ShouldBe(0);

        Bank.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-vrps" });
        await Should.ThrowAsync<HttpRequestException>(() => PayAsync(token, consentId, "10.00", key: "f-1"));
        Bank.PaymentCount.ShouldBe(1);
        var id = await PayOkAsync(token, consentId, "10.00", key: "f-1");
        Bank.PaymentCount.ShouldBe(1);

        Bank.Faults.Add(new FaultRule { Kind = FaultKind.TooManyRequests, PathPrefix = "/domestic-vrps/" });
        using (var r = await Tpp.GetAsync(V4, "domestic-vrps/" + id, token))
        {
            (await ErrorAsync(r, HttpStatusCode.TooManyRequests)).Code.ShouldBe("U000");
            r.Headers.RetryAfter.ShouldNotBeNull();
        }

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses();
        Bank.Accounts.GetBalance(Bodies.Customer).ShouldBe(100_000 - 1_000);
    }

    [Fact]
    public async Task Payment_StaleJwsIat_SignatureInvalidClaim()
    {
        var (consentId, token, _) = await AuthorisedConsentAsync();
        var body = System.Text.Encoding.UTF8.GetBytes(PaymentBody(consentId, "10.00").ToJsonString());
        var stale = Tpp.Sign(body, h => h["http://openbanking.org.uk/iat"] = Clock.GetUtcNow().AddHours(-1).ToUnixTimeSeconds());
        using var r = await Tpp.PostAsync(V4, "domestic-vrps", System.Text.Encoding.UTF8.GetString(body), token, "stale", jws: stale);
        (await ErrorAsync(r, HttpStatusCode.BadRequest)).Code.ShouldBe("U016");
        Bank.PaymentCount.ShouldBe(0);
    }
}

using System.Text;
using System.Text.Json;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Pis.Wire;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class DialectTests
{
    private static readonly PaymentInstruction Instruction = new("instr-1", "e2e-1", new Money(1050, "GBP"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer"), "TOPUP 1");

    [Fact]
    public void TryDeserialize_InvalidUtf8InsideAString_FalseNotAnException()
    {
        // 0xC3 0x28 (a lead byte then '(') inside an error code of a bank's error answer. JsonSerializer, unlike a
        // JsonDocument read with GetString, turns the transcoding failure into a JsonException, so no UTF-8 check is needed.
        byte[] body = [.. """{"Code":"400","Id":"i","Message":"m","Errors":[{"ErrorCode":"UK.OBIE."""u8, 0xC3, 0x28, .. "\",\"Message\":\"m\"}]}"u8];

        var ok = PisDialects.TryDeserialize<ObErrorResponse>(body, out var value, out var error);

        ok.ShouldBeFalse();
        value.ShouldBeNull();
        error.ShouldStartWith("not valid JSON for ObErrorResponse");
    }

    [Fact]
    public void V3ConsentRequest_Shape_StringRemittanceAndDecimalAmount()
    {
        using var doc = JsonDocument.Parse(PisDialects.V3.ConsentRequest(Instruction));
        var initiation = doc.RootElement.GetProperty("Data").GetProperty("Initiation");
        initiation.GetProperty("InstructedAmount").GetProperty("Amount").GetString().ShouldBe("10.50");
        initiation.GetProperty("InstructedAmount").GetProperty("Currency").GetString().ShouldBe("GBP");
        initiation.GetProperty("CreditorAccount").GetProperty("Identification").GetString().ShouldBe("04000412345678");
        initiation.GetProperty("DebtorAccount").GetProperty("Name").GetString().ShouldBe("Customer");
        initiation.GetProperty("RemittanceInformation").GetProperty("Reference").GetString().ShouldBe("TOPUP 1");
        doc.RootElement.GetProperty("Risk").ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public void V4ConsentRequest_Shape_StructuredCreditorReference()
    {
        using var doc = JsonDocument.Parse(PisDialects.V4.ConsentRequest(Instruction));
        var remittance = doc.RootElement.GetProperty("Data").GetProperty("Initiation").GetProperty("RemittanceInformation");
        // v4.0 OBRemittanceInformation2: Structured[].CreditorReferenceInformation.Reference, not v3's Reference.
        remittance.GetProperty("Structured")[0].GetProperty("CreditorReferenceInformation").GetProperty("Reference").GetString().ShouldBe("TOPUP 1");
        remittance.TryGetProperty("Reference", out _).ShouldBeFalse();
        remittance.TryGetProperty("Unstructured", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConsentRequest_RiskAndRefund_OnTheWireAsTheSpecNamesThem(bool v4)
    {
        var dialect = v4 ? PisDialects.V4 : PisDialects.V3;
        var instruction = Instruction with
        {
            Risk = new PaymentRisk("BillingGoodsAndServicesInAdvance", "5967", true, true, null, "Business"),
            ReadRefundAccount = true,
        };
        using var doc = JsonDocument.Parse(dialect.ConsentRequest(instruction));
        doc.RootElement.GetProperty("Data").GetProperty("ReadRefundAccount").GetString().ShouldBe("Yes");
        var risk = doc.RootElement.GetProperty("Risk");
        risk.GetProperty("PaymentContextCode").GetString().ShouldBe("BillingGoodsAndServicesInAdvance");
        risk.GetProperty("MerchantCategoryCode").GetString().ShouldBe("5967");
        risk.GetProperty("ContractPresentIndicator").GetBoolean().ShouldBeTrue();
        risk.GetProperty("BeneficiaryPrepopulatedIndicator").GetBoolean().ShouldBeTrue();
        risk.GetProperty("BeneficiaryAccountType").GetString().ShouldBe("Business");
        risk.TryGetProperty("PaymentPurposeCode", out _).ShouldBeFalse();

        // The payment repeats the consent's Risk byte for byte (OBIE: Risk must match the consent).
        using var payment = JsonDocument.Parse(dialect.PaymentRequest("c-1", instruction));
        payment.RootElement.GetProperty("Risk").GetRawText().ShouldBe(risk.GetRawText());
        payment.RootElement.GetProperty("Data").TryGetProperty("ReadRefundAccount", out _).ShouldBeFalse();
    }

    [Fact]
    public void ConsentRequest_NoRefundAsked_ReadRefundAccountLeftOut()
    {
        using var doc = JsonDocument.Parse(PisDialects.V3.ConsentRequest(Instruction));
        doc.RootElement.GetProperty("Data").TryGetProperty("ReadRefundAccount", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("BillingGoodsAndServicesInAdvance", null, true, true)]
    [InlineData("PispPayee", null, true, false)]
    [InlineData("PartyToParty", null, true, false)]
    [InlineData("Ecommerce", null, false, false)]
    [InlineData(null, "Ewallet", true, true)]
    [InlineData(null, "Savings", false, false)]
    public void PaymentRiskCheck_SpecEnumerations_PerVersion(string? context, string? accountType, bool v3Ok, bool v4Ok)
    {
        var risk = new PaymentRisk(context, null, null, null, null, accountType);
        (risk.Check(Settlement.OpenBanking.Configuration.ObieVersion.V3_1_11) is null).ShouldBe(v3Ok);
        (risk.Check(Settlement.OpenBanking.Configuration.ObieVersion.V4_0) is null).ShouldBe(v4Ok);
    }

    [Fact]
    public void TryParsePayment_V4StatusFields_RefundDebtorReasonChargesAndExpectedTimes()
    {
        var json = """
            {"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"RJCT","CreationDateTime":"2026-11-22T00:00:00+00:00","StatusUpdateDateTime":"2026-11-22T00:00:01+00:00",
             "StatusReason":[{"StatusReasonCode":"AM04","StatusReasonDescription":"insufficient funds"}],
             "ExpectedExecutionDateTime":"2026-11-22T00:00:00+00:00","ExpectedSettlementDateTime":"2026-11-22T00:00:03+00:00",
             "Refund":{"Account":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"60161331926819","Name":"Customer"}},
             "Charges":[{"ChargeBearer":"BorneByDebtor","Type":"UK.OBIE.CHAPSOut","Amount":{"Amount":"0.25","Currency":"GBP"}}],
             "Debtor":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"60161331926819","Name":"Customer"},
             "Initiation":{"InstructionIdentification":"i","EndToEndIdentification":"e","InstructedAmount":{"Amount":"10.50","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"04000412345678","Name":"P"}}}}
            """;
        PisDialects.V4.TryParsePayment(Encoding.UTF8.GetBytes(json), out var payment, out var error).ShouldBeTrue(error);
        payment!.Status.Kind.ShouldBe(PaymentStatusKind.Rejected);
        payment.StatusReasons.ShouldBe([new StatusReason("AM04", "insufficient funds")]);
        payment.Refund.ShouldBe(new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer"));
        payment.Debtor!.Identification.ShouldBe("60161331926819");
        payment.Charges.ShouldBe([new PaymentCharge("BorneByDebtor", "UK.OBIE.CHAPSOut", new Money(25, "GBP"))]);
        payment.ExpectedExecution.ShouldBe(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        payment.ExpectedSettlement.ShouldBe(new DateTimeOffset(2026, 11, 22, 0, 0, 3, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(""","Refund":{"Account":{"Name":"Customer"}}""", "Data.Refund.Account lacks SchemeName or Identification")]
    [InlineData(""","Charges":[{"ChargeBearer":"BorneByDebtor","Type":"UK.OBIE.CHAPSOut","Amount":{"Amount":"0.255","Currency":"GBP"}}]""", "Data.Charges entry lacks ChargeBearer, Type or a valid Amount")]
    public void TryParsePayment_BadRefundOrCharges_FalseWithReason(string extra, string reason)
    {
        var json = """{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"RCVD","Initiation":{"InstructedAmount":{"Amount":"1.00","Currency":"GBP"}}""" + extra + "}}";
        PisDialects.V4.TryParsePayment(Encoding.UTF8.GetBytes(json), out var payment, out var error).ShouldBeFalse();
        payment.ShouldBeNull();
        error.ShouldBe(reason);
    }

    [Fact]
    public void TryParseConsent_Lifetime_CutOffAndAuthorisationCompletion()
    {
        var json = """{"Data":{"ConsentId":"c9","Status":"AWAU","ReadRefundAccount":"Yes","CutOffDateTime":"2026-11-22T02:00:00Z","Authorisation":{"AuthorisationType":"Single","CompletionDateTime":"2026-11-22T01:00:00Z"},"CreationDateTime":"2026-11-22T00:00:00Z","StatusUpdateDateTime":"2026-11-22T00:00:00Z","Initiation":{"InstructionIdentification":"i","EndToEndIdentification":"e","InstructedAmount":{"Amount":"1.00","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"1","Name":"n"}}},"Risk":{}}""";
        PisDialects.V4.TryParseConsent(Encoding.UTF8.GetBytes(json), out var consent, out var error).ShouldBeTrue(error);
        consent!.ReadRefundAccount.ShouldBeTrue();
        var start = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        consent.LifetimeProblem(start).ShouldBeNull();
        consent.LifetimeProblem(start.AddMinutes(61)).ShouldBe("the consent's Authorisation.CompletionDateTime 2026-11-22T01:00:00.0000000+00:00 passed before it was authorised");
        consent.LifetimeProblem(start.AddMinutes(121)).ShouldBe("the consent's CutOffDateTime 2026-11-22T02:00:00.0000000+00:00 has passed");
        (consent with { Status = ConsentStatus.FromCode("AUTH") }).LifetimeProblem(start.AddMinutes(61)).ShouldBeNull();
    }

    [Fact]
    public void PaymentRequest_SameInstruction_InitiationEqualsConsentInitiation()
    {
        foreach (var dialect in new[] { PisDialects.V3, PisDialects.V4 })
        {
            using var consent = JsonDocument.Parse(dialect.ConsentRequest(Instruction));
            using var payment = JsonDocument.Parse(dialect.PaymentRequest("c-1", Instruction));
            payment.RootElement.GetProperty("Data").GetProperty("ConsentId").GetString().ShouldBe("c-1");
            payment.RootElement.GetProperty("Data").GetProperty("Initiation").GetRawText()
                .ShouldBe(consent.RootElement.GetProperty("Data").GetProperty("Initiation").GetRawText());
            dialect.PaymentRequest("c-1", Instruction).ShouldBe(dialect.PaymentRequest("c-1", Instruction));
        }
    }

    [Theory]
    [InlineData("""{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"AcceptedSettlementInProcess","CreationDateTime":"2026-11-22T00:00:00+00:00","StatusUpdateDateTime":"2026-11-22T00:00:01+00:00","Initiation":{"InstructionIdentification":"i","EndToEndIdentification":"e","InstructedAmount":{"Amount":"10.50","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"04000412345678","Name":"P"}}},"Links":{"Self":"https://x"},"Meta":{}}""", "AcceptedSettlementInProcess")]
    [InlineData("""{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"BRAND_NEW","CreationDateTime":"2026-11-22T00:00:00+00:00","StatusUpdateDateTime":"2026-11-22T00:00:01+00:00","Initiation":{"InstructedAmount":{"Amount":"10.50","Currency":"GBP"}}}}""", "BRAND_NEW")]
    public void TryParsePayment_ValidBody_Mapped(string json, string status)
    {
        PisDialects.V3.TryParsePayment(Encoding.UTF8.GetBytes(json), out var payment, out var error).ShouldBeTrue(error);
        payment!.PaymentId.ShouldBe("p1");
        payment.ConsentId.ShouldBe("c1");
        payment.Amount.ShouldBe(new Money(1050, "GBP"));
        payment.Status.Code.ShouldBe(status);
        payment.StatusUpdated.ShouldBe(new DateTimeOffset(2026, 11, 22, 0, 0, 1, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"Data":{}}""")]
    [InlineData("""{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"RCVD"}}""")]
    [InlineData("""{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"RCVD","Initiation":{"InstructedAmount":{"Amount":"10.505","Currency":"GBP"}}}}""")]
    [InlineData("""{"Data":{"DomesticPaymentId":"p1","ConsentId":"c1","Status":"RCVD","Initiation":{"InstructedAmount":{"Amount":10.5,"Currency":"GBP"}}}}""")]
    [InlineData("""{"Data":{"DomesticPaymentId":5,"ConsentId":"c1","Status":"RCVD"}}""")]
    public void TryParsePayment_Malformed_FalseWithReason(string json)
    {
        foreach (var dialect in new[] { PisDialects.V3, PisDialects.V4 })
        {
            dialect.TryParsePayment(Encoding.UTF8.GetBytes(json), out var payment, out var error).ShouldBeFalse();
            payment.ShouldBeNull();
            error.ShouldNotBeNullOrEmpty();
        }
    }

    [Fact]
    public void TryParseConsent_V4Codes_Mapped()
    {
        var json = """{"Data":{"ConsentId":"c9","Status":"AWAU","CreationDateTime":"2026-11-22T00:00:00Z","StatusUpdateDateTime":"2026-11-22T00:00:00Z","Initiation":{"InstructionIdentification":"i","EndToEndIdentification":"e","InstructedAmount":{"Amount":"1.00","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"1","Name":"n"},"RemittanceInformation":{"Unstructured":["x"]}}},"Risk":{}}""";
        PisDialects.V4.TryParseConsent(Encoding.UTF8.GetBytes(json), out var consent, out var error).ShouldBeTrue(error);
        consent!.Status.Kind.ShouldBe(ConsentStatusKind.AwaitingAuthorisation);
        consent.Amount.MinorUnits.ShouldBe(100);
    }
}

using System.Text;
using System.Text.Json;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class DialectTests
{
    private static readonly PaymentInstruction Instruction = new("instr-1", "e2e-1", new Money(1050, "GBP"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer"), "TOPUP 1");

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
    public void V4ConsentRequest_Shape_ArrayRemittance()
    {
        using var doc = JsonDocument.Parse(PisDialects.V4.ConsentRequest(Instruction));
        var remittance = doc.RootElement.GetProperty("Data").GetProperty("Initiation").GetProperty("RemittanceInformation");
        remittance.GetProperty("Unstructured")[0].GetString().ShouldBe("TOPUP 1");
        remittance.TryGetProperty("Reference", out _).ShouldBeFalse();
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

using Settlement.BankSandbox.Tests.Support;
using Settlement.BankSandbox.Validation;

namespace Settlement.BankSandbox.Tests.Validation;

public sealed class OpenApiSchemaValidatorTests
{
    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public void SchemaNames_DomesticOperations_FoundInTheSpec(PisVersion version)
    {
        var v = OpenApiSchemaValidator.For(version);

        v.RequestSchemaName("POST", "/domestic-payment-consents").ShouldBe("OBWriteDomesticConsent4");
        v.RequestSchemaName("POST", "/open-banking/v4.0/pisp/domestic-payments").ShouldBe("OBWriteDomestic2");
        v.ResponseSchemaName("POST", "/domestic-payment-consents", 201).ShouldBe("OBWriteDomesticConsentResponse5");
        v.ResponseSchemaName("GET", "/domestic-payment-consents/abc/funds-confirmation", 200).ShouldBe("OBWriteFundsConfirmationResponse1");
        v.ResponseSchemaName("GET", "/domestic-payments/{DomesticPaymentId}", 200).ShouldBe("OBWriteDomesticResponse5");
        v.ResponseSchemaName("GET", "/domestic-payments/x/payment-details", 200).ShouldBe("OBWritePaymentDetailsResponse1");
        v.ResponseSchemaName("POST", "/domestic-payments", 400).ShouldBe("OBErrorResponse1");
        v.ResponseSchemaName("POST", "/domestic-payments", 429).ShouldBeNull();
    }

    [Theory]
    [InlineData(PisVersion.V3)]
    [InlineData(PisVersion.V4)]
    public void ValidateRequest_ConsentBody_Valid(PisVersion version)
    {
        var result = OpenApiSchemaValidator.For(version).ValidateRequest("POST", "/domestic-payment-consents", Bodies.Consent(Bodies.Initiation()).ToJsonString());

        result.IsValid.ShouldBeTrue(result.ToString());
        result.SchemaName.ShouldBe("OBWriteDomesticConsent4");
    }

    [Fact]
    public void ValidateResponse_V4StatusInV3Response_Invalid()
    {
        var body = """
            {"Data":{"DomesticPaymentId":"dp-1","ConsentId":"c-1","CreationDateTime":"2026-03-02T09:00:00+00:00","Status":"ACSC",
            "StatusUpdateDateTime":"2026-03-02T09:00:00+00:00","Initiation":{"InstructionIdentification":"i","EndToEndIdentification":"e",
            "InstructedAmount":{"Amount":"1.00","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"04000412345678","Name":"P"}}}}
            """;

        OpenApiSchemaValidator.For(PisVersion.V4).ValidateResponse("GET", "/domestic-payments/dp-1", 200, body).IsValid.ShouldBeTrue();
        var v3 = OpenApiSchemaValidator.For(PisVersion.V3).ValidateResponse("GET", "/domestic-payments/dp-1", 200, body);
        v3.IsValid.ShouldBeFalse();
        v3.Errors.ShouldContain(e => e.Path.Contains("Status", StringComparison.Ordinal) && e.Kind == SchemaErrorKind.Invalid);
    }

    [Fact]
    public void ValidateResponse_BadDateTime_Invalid()
    {
        var body = """{"Data":{"FundsAvailableResult":{"FundsAvailableDateTime":"yesterday","FundsAvailable":true}}}""";

        var result = OpenApiSchemaValidator.For(PisVersion.V4).ValidateResponse("GET", "/domestic-payment-consents/c/funds-confirmation", 200, body);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Path.Contains("FundsAvailableDateTime", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateResponse_BodyWhereSpecHasNone_Invalid()
    {
        OpenApiSchemaValidator.For(PisVersion.V4).ValidateResponse("POST", "/domestic-payments", 429, "").IsValid.ShouldBeTrue();
        OpenApiSchemaValidator.For(PisVersion.V4).ValidateResponse("POST", "/domestic-payments", 429, "{}").IsValid.ShouldBeFalse();
    }

    [Fact]
    public void ValidateRequest_UnknownOperation_Reported()
    {
        OpenApiSchemaValidator.For(PisVersion.V4).ValidateRequest("POST", "/nothing-here", "{}").IsValid.ShouldBeFalse();
    }

    [Fact]
    public void ValidateSchema_TrailingGarbage_Invalid()
    {
        OpenApiSchemaValidator.For(PisVersion.V4).ValidateSchema("OBRisk1", "{} {}").IsValid.ShouldBeFalse();
        OpenApiSchemaValidator.For(PisVersion.V4).ValidateSchema("OBRisk1", "{}").IsValid.ShouldBeTrue();
    }
}

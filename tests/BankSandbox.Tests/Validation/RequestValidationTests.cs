using System.Net;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Validation;

/// <summary>Requests that break the OBIE schema are rejected with 400 OBErrorResponse1 and the codes of the version.</summary>
public sealed class RequestValidationTests : SandboxTestBase
{
    public static TheoryData<PisVersion, string, string, string> Cases => new()
    {
        { PisVersion.V3, "missing-amount", "UK.OBIE.Field.Missing", "Amount" },
        { PisVersion.V4, "missing-amount", "U004", "Amount" },
        { PisVersion.V3, "bad-amount", "UK.OBIE.Field.Invalid", "Amount" },
        { PisVersion.V4, "bad-amount", "U002", "Amount" },
        { PisVersion.V3, "bad-currency", "UK.OBIE.Field.Invalid", "Currency" },
        { PisVersion.V4, "bad-currency", "U002", "Currency" },
        { PisVersion.V3, "extra-field", "UK.OBIE.Field.Unexpected", "Initiation" },
        { PisVersion.V4, "extra-field", "U005", "Initiation" },
        { PisVersion.V3, "long-reference", "UK.OBIE.Field.Invalid", "InstructionIdentification" },
        { PisVersion.V4, "long-reference", "U002", "InstructionIdentification" },
        { PisVersion.V3, "no-risk", "UK.OBIE.Field.Missing", "Risk" },
        { PisVersion.V4, "no-risk", "U004", "Risk" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CreateConsent_SchemaViolation_400WithCodeAndPath(PisVersion version, string breakage, string code, string pathPart)
    {
        var body = Bodies.Consent(Bodies.Initiation());
        var initiation = body["Data"]!["Initiation"]!.AsObject();
        switch (breakage)
        {
            case "missing-amount":
                initiation["InstructedAmount"]!.AsObject().Remove("Amount");
                break;
            case "bad-amount":
                initiation["InstructedAmount"]!["Amount"] = "10,50";
                break;
            case "bad-currency":
                initiation["InstructedAmount"]!["Currency"] = "gbp";
                break;
            case "extra-field":
                initiation["Surprise"] = "yes";
                break;
            case "long-reference":
                initiation["InstructionIdentification"] = new string('x', 36);
                break;
            case "no-risk":
                body.Remove("Risk");
                break;
        }

        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", body.ToJsonString(), cc, "k-" + breakage);
        var error = await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest);

        ErrorCode(error).ShouldBe(code);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldContain(pathPart);
        response.Headers.GetValues("x-fapi-interaction-id").Single().ShouldBe("93bac548-d2de-4546-b106-880a5018460d");
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.InvalidFormat")]
    [InlineData(PisVersion.V4, "U010")]
    public async Task CreateConsent_NotJson_InvalidFormat(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", "{not json", cc, "k-nj");

        ErrorCode(await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe(code);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Unsupported.Currency")]
    [InlineData(PisVersion.V4, "U023")]
    public async Task CreateConsent_Euro_UnsupportedCurrency(PisVersion version, string code)
    {
        var body = Bodies.Consent(Bodies.Initiation());
        body["Data"]!["Initiation"]!["InstructedAmount"]!["Currency"] = "EUR";
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", body.ToJsonString(), cc, "k-eur");

        ErrorCode(await ReadValidAsync(response, version, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe(code);
    }

    [Theory]
    [InlineData("10.505")]
    [InlineData("0")]
    [InlineData("0.00")]
    public async Task CreateConsent_AmountNotPayableInPence_FieldInvalid(string amount)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.PostAsync(PisVersion.V4, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation(amount)).ToJsonString(), cc, "k-amt");

        var error = await ReadValidAsync(response, PisVersion.V4, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest);
        ErrorCode(error).ShouldBe("U002");
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("Data.Initiation.InstructedAmount.Amount");
    }

    [Fact]
    public async Task CreateConsent_IbanCreditor_UnsupportedScheme()
    {
        var body = Bodies.Consent(Bodies.Initiation());
        body["Data"]!["Initiation"]!["CreditorAccount"]!["SchemeName"] = "UK.OBIE.IBAN";
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.PostAsync(PisVersion.V3, "domestic-payment-consents", body.ToJsonString(), cc, "k-iban");

        ErrorCode(await ReadValidAsync(response, PisVersion.V3, "POST", "/domestic-payment-consents", HttpStatusCode.BadRequest)).ShouldBe("UK.OBIE.Unsupported.Scheme");
    }

    [Fact]
    public async Task CreatePayment_MissingConsentId_FieldMissing()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V4, cc, Bodies.Initiation());
        var token = await Tpp.AuthorisedTokenAsync(consentId);
        var body = Bodies.Payment(consentId, Bodies.Initiation());
        body["Data"]!.AsObject().Remove("ConsentId");

        using var response = await Tpp.PostAsync(PisVersion.V4, "domestic-payments", body.ToJsonString(), token, "k-nc");

        var error = await ReadValidAsync(response, PisVersion.V4, "POST", "/domestic-payments", HttpStatusCode.BadRequest);
        ErrorCode(error).ShouldBe("U004");
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldContain("ConsentId");
    }

    [Fact]
    public async Task CreateConsent_NonJsonContentType_415()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Bank.PispBaseUrl(PisVersion.V4), "domestic-payment-consents"));
        var bytes = System.Text.Encoding.UTF8.GetBytes(Bodies.Consent(Bodies.Initiation()).ToJsonString());
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cc);
        request.Headers.Add("x-idempotency-key", "k-415");
        request.Headers.Add("x-jws-signature", Tpp.Sign(bytes));

        using var response = await Tpp.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public void ErrorBody_Shapes_ValidAgainstBothSpecs()
    {
        var errors = new[] { new Errors.ObError(Errors.ObErrorCode.FieldMissing, "m", "Data.Initiation") };
        foreach (var version in new[] { PisVersion.V3, PisVersion.V4 })
        {
            var body = Errors.ObResponder.ErrorBody(version, 400, errors).ToJsonString();
            var result = BankSandbox.Validation.OpenApiSchemaValidator.For(version).ValidateResponse("POST", "/domestic-payments", 400, body);
            result.IsValid.ShouldBeTrue(result.ToString());
            var server = Errors.ObResponder.ErrorBody(version, 500, [new Errors.ObError(Errors.ObErrorCode.UnexpectedError, "x")]).ToJsonString();
            BankSandbox.Validation.OpenApiSchemaValidator.For(version).ValidateResponse("GET", "/domestic-payments/{DomesticPaymentId}", 500, server).IsValid.ShouldBeTrue();
        }

        JsonNode.Parse(Errors.ObResponder.ErrorBody(PisVersion.V4, 400, errors).ToJsonString())!["Errors"]![0]!["ErrorCode"]!.GetValue<string>().ShouldBe("U004");
    }
}

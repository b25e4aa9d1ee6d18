using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Security;
using Settlement.BankSandbox.Tests.Support;
using Settlement.BankSandbox.Validation;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>Shared checks of the conformance tests: the OBIE error body, the bank's signature, the interaction id.</summary>
public abstract class ConformanceTestBase : SandboxTestBase
{
    protected const string InteractionId = "93bac548-d2de-4546-b106-880a5018460d";

    /// <summary>
    /// Asserts an OBErrorResponse1 with <paramref name="code"/> first, signed by the bank over the exact body bytes,
    /// with an x-fapi-interaction-id; when the spec defines a body for the status (400, 403, 500), also its schema.
    /// </summary>
    protected async Task<JsonObject> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, PisVersion version, string method = "POST", string path = "/domestic-payment-consents")
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var json = (JsonObject)JsonNode.Parse(text)!;
        ErrorCode(json).ShouldBe(code, text);
        json["Id"]!.GetValue<string>().ShouldNotBeEmpty();
        if (status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError)
        {
            var schema = OpenApiSchemaValidator.For(version).ValidateResponse(method, path, (int)status, text);
            schema.IsValid.ShouldBeTrue(schema.ToString());
        }

        var jws = response.Headers.GetValues("x-jws-signature").Single();
        var check = DetachedJwsVerifier.Verify(jws, bytes, Bank.SigningKeys.Keys[0], "sandbox-bank", Clock.GetUtcNow(), TimeSpan.FromMinutes(1));
        check.Outcome.ShouldBe(JwsOutcome.Valid, check.Message);
        Guid.TryParseExact(response.Headers.GetValues("x-fapi-interaction-id").Single(), "D", out _).ShouldBeTrue();
        return json;
    }

    protected static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    protected static string ConsentJson(string amount = "10.50") => Bodies.Consent(Bodies.Initiation(amount)).ToJsonString();

    protected async Task<string> ConsentStatusAsync(PisVersion version, string cc, string consentId)
    {
        using var response = await Tpp.GetAsync(version, "domestic-payment-consents/" + consentId, cc);
        var json = await ReadValidAsync(response, version, "GET", "/domestic-payment-consents/{ConsentId}", HttpStatusCode.OK);
        return json["Data"]!["Status"]!.GetValue<string>();
    }
}

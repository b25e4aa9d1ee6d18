using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>
/// Class 2: input the spec rejects is rejected with the right status and OBIE code, and nothing is stored —
/// malformed encodings, ambiguous JSON, content negotiation, values outside the enumerations, bad header values.
/// </summary>
public sealed class InputRejectionTests : ConformanceTestBase
{
    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.InvalidFormat")]
    [InlineData(PisVersion.V4, "U010")]
    public async Task Body_InvalidUtf8_400InvalidFormat(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Utf8(ConsentJson().Replace("instr-1", "instr-\u00e9", StringComparison.Ordinal));
        var at = Array.IndexOf(body, (byte)0xC3);
        body[at + 1] = 0x28; // 0xC3 0x28: a lead byte without its continuation byte

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", body, cc, "k-utf8");

        await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Resource.InvalidFormat")]
    [InlineData(PisVersion.V4, "U010")]
    public async Task Body_DuplicatePropertyName_400InvalidFormat(PisVersion version, string code)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var json = ConsentJson().Replace("\"Amount\":\"10.50\"", "\"Amount\":\"10.50\",\"Amount\":\"999.00\"", StringComparison.Ordinal);
        json.ShouldContain("999.00");

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", json, cc, "k-dup");

        await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed", "pad")]
    [InlineData(PisVersion.V4, "U018", "pad")]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed", "space")]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed", "plus")]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed", "noncanonical")]
    [InlineData(PisVersion.V3, "UK.OBIE.Signature.Malformed", "duplicate-header-member")]
    public async Task Jws_InvalidBase64UrlOrAmbiguousHeader_400Malformed(PisVersion version, string code, string breakage)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Utf8(ConsentJson());
        var jws = Tpp.Sign(body);
        var parts = jws.Split('.');
        jws = breakage switch
        {
            "pad" => parts[0] + "==.." + parts[2],
            "space" => parts[0][..10] + " " + parts[0][10..] + ".." + parts[2],
            "plus" => parts[0] + "..+" + parts[2][1..],
            "noncanonical" => parts[0] + ".." + NonCanonical(parts[2]),
            _ => DuplicateAlgHeader(parts[0]) + ".." + parts[2],
        };

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", body, cc, "k-jws-" + breakage, jws: jws);

        await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Post_ContentTypeNotJson_415HeaderInvalid(string? contentType)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", Utf8(ConsentJson()), cc, "k-ct", contentType: contentType);

        var error = await ReadErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UK.OBIE.Header.Invalid", PisVersion.V3);
        error["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("Content-Type");
        Bank.ConsentCount.ShouldBe(0);
    }

    [Fact]
    public async Task Post_ContentTypeJsonUtf8_Accepted()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V4, "domestic-payment-consents", Utf8(ConsentJson()), cc, "k-ct-ok", contentType: "application/json; charset=utf-8", edit: r => r.Headers.TryAddWithoutValidation("Accept", "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid", "text/html")]
    [InlineData(PisVersion.V4, "U006", "application/xml, text/plain")]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid", "application/json;q=0")]
    public async Task Accept_ExcludesJson_406(PisVersion version, string code, string accept)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var post = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", Utf8(ConsentJson()), cc, "k-accept", edit: r => r.Headers.TryAddWithoutValidation("Accept", accept));
        using var get = await Tpp.SendRawAsync(HttpMethod.Get, version, "domestic-payment-consents/dpc-x", null, cc, edit: r => r.Headers.TryAddWithoutValidation("Accept", accept));

        (await ReadErrorAsync(post, HttpStatusCode.NotAcceptable, code, version))["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe("Accept");
        await ReadErrorAsync(get, HttpStatusCode.NotAcceptable, code, version);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Field.Invalid", "context")]
    [InlineData(PisVersion.V4, "U002", "context")]
    [InlineData(PisVersion.V3, "UK.OBIE.Field.Invalid", "refund")]
    [InlineData(PisVersion.V4, "U002", "refund")]
    [InlineData(PisVersion.V3, "UK.OBIE.Field.Invalid", "authorisation-type")]
    [InlineData(PisVersion.V4, "U002", "authorisation-type")]
    public async Task Body_ValueOutsideEnumeration_400FieldInvalid(PisVersion version, string code, string breakage)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var body = Bodies.Consent(Bodies.Initiation());
        switch (breakage)
        {
            case "context":
                body["Risk"]!["PaymentContextCode"] = "Bogus";
                break;
            case "refund":
                body["Data"]!["ReadRefundAccount"] = "Maybe";
                break;
            default:
                body["Data"]!["Authorisation"] = new System.Text.Json.Nodes.JsonObject { ["AuthorisationType"] = "Many" };
                break;
        }

        using var response = await Tpp.PostAsync(version, "domestic-payment-consents", body.ToJsonString(), cc, "k-enum-" + breakage);

        await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid", "x-fapi-auth-date", "yesterday")]
    [InlineData(PisVersion.V4, "U006", "x-fapi-auth-date", "2017-09-10T19:43:31Z")]
    [InlineData(PisVersion.V3, "UK.OBIE.Header.Invalid", "x-fapi-customer-ip-address", "not-an-ip")]
    public async Task Header_BadFormat_400HeaderInvalid(PisVersion version, string code, string header, string value)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.SendRawAsync(HttpMethod.Post, version, "domestic-payment-consents", Utf8(ConsentJson()), cc, "k-hdr", edit: r => r.Headers.TryAddWithoutValidation(header, value));

        (await ReadErrorAsync(response, HttpStatusCode.BadRequest, code, version))["Errors"]![0]!["Path"]!.GetValue<string>().ShouldBe(header);
        Bank.ConsentCount.ShouldBe(0);
    }

    [Fact]
    public async Task Header_GoodFapiValues_Accepted()
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        using var response = await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", Utf8(ConsentJson()), cc, "k-hdr-ok", edit: r =>
        {
            r.Headers.TryAddWithoutValidation("x-fapi-auth-date", "Sun, 10 Sep 2017 19:43:31 UTC");
            r.Headers.TryAddWithoutValidation("x-fapi-customer-ip-address", "104.25.212.99");
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Same bytes decode from a spelling whose unused trailing bits are not zero: a second spelling of one value.</summary>
    private static string NonCanonical(string b64)
    {
        // 256-byte RSA signature → 342 chars, 4 unused bits in the last char; flipping the lowest bit keeps the bytes.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = alphabet.IndexOf(b64[^1], StringComparison.Ordinal);
        return b64[..^1] + alphabet[last ^ 1];
    }

    private static string DuplicateAlgHeader(string headerB64)
    {
        var json = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(headerB64));
        var duplicated = json.Replace("\"alg\":\"PS256\"", "\"alg\":\"PS256\",\"alg\":\"none\"", StringComparison.Ordinal);
        duplicated.ShouldNotBe(json);
        return Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Text.Encoding.UTF8.GetBytes(duplicated));
    }
}

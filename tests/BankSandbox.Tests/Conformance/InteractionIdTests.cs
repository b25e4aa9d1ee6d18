using System.Net;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Conformance;

/// <summary>Class 6: every PIS response, errors included, carries x-fapi-interaction-id: the request's UUID, else a new one.</summary>
public sealed class InteractionIdTests : ConformanceTestBase
{
    public static TheoryData<string> Requests => new() { "201", "400", "401", "403", "404", "406", "415", "429", "500" };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task EveryAnswer_EchoesAValidInteractionId(string kind)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();
        var consentId = await CreateConsentAsync(PisVersion.V3, cc, Bodies.Initiation());
        void Id(HttpRequestMessage r) => r.Headers.TryAddWithoutValidation("x-fapi-interaction-id", InteractionId);
        var body = Utf8(ConsentJson());

        using var response = kind switch
        {
            "201" => await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-i", edit: Id),
            "400" => await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", Utf8("{}"), cc, "k-i", edit: Id),
            "401" => await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V3, "domestic-payment-consents/" + consentId, null, "nope", edit: Id),
            "403" => await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V3, $"domestic-payment-consents/{consentId}/funds-confirmation", null, cc, edit: Id),
            "404" => await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V3, "nothing-here", null, cc, edit: Id),
            "406" => await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V3, "domestic-payment-consents/" + consentId, null, cc, edit: r => { Id(r); r.Headers.TryAddWithoutValidation("Accept", "text/html"); }),
            "415" => await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-i", contentType: "text/plain", edit: Id),
            "429" => await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-i", edit: r => { Id(r); r.Headers.Add("x-sandbox-fault", "TooManyRequests"); }),
            _ => await Tpp.SendRawAsync(HttpMethod.Post, PisVersion.V3, "domestic-payment-consents", body, cc, "k-i", edit: r => { Id(r); r.Headers.Add("x-sandbox-fault", "FailBeforeCommit"); }),
        };

        ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(kind);
        response.Headers.GetValues("x-fapi-interaction-id").Single().ShouldBe(InteractionId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-uuid")]
    [InlineData("93bac548d2de4546b106880a5018460d")]
    public async Task MissingOrInvalidInteractionId_NewUuid(string? given)
    {
        var cc = await Tpp.ClientCredentialsTokenAsync();

        using var response = await Tpp.SendRawAsync(HttpMethod.Get, PisVersion.V4, "domestic-payment-consents/dpc-x", null, cc, edit: r =>
        {
            if (given is not null)
            {
                r.Headers.TryAddWithoutValidation("x-fapi-interaction-id", given);
            }
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var id = response.Headers.GetValues("x-fapi-interaction-id").Single();
        id.ShouldNotBe(given);
        Guid.TryParseExact(id, "D", out _).ShouldBeTrue(id);
    }
}

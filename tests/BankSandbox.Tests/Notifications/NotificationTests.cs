using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Tests.Support;

namespace Settlement.BankSandbox.Tests.Notifications;

public sealed class NotificationTests : SandboxTestBase
{
    // The background loop is made slow so the tests drive status changes themselves and can tell timers apart.
    protected override void Configure(SandboxOptions options) => options.BackgroundInterval = TimeSpan.FromHours(10);

    [Theory]
    [InlineData(PisVersion.V3, "v3.1")]
    [InlineData(PisVersion.V4, "v4.0")]
    public async Task StatusChanges_DeliveredAsSignedSets(PisVersion version, string linkVersion)
    {
        await using var listener = await NotificationListener.StartAsync();
        using var tpp = TppClient.Register(Bank, Clock, "tpp-events", notificationUrl: listener.Url);
        var paymentId = await SubmitAsync(tpp, version);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Bank.AdvanceStatuses().ShouldBe(1);
        var first = await listener.NextAsync();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Bank.AdvanceStatuses().ShouldBe(1);
        var second = await listener.NextAsync();

        foreach (var set in new[] { first, second })
        {
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(set, new TokenValidationParameters
            {
                ValidIssuer = Bank.Issuer,
                ValidAudience = "tpp-events",
                IssuerSigningKeys = Bank.SigningKeys.Keys,
                ValidateLifetime = false,
                RequireExpirationTime = false,
            });
            result.IsValid.ShouldBeTrue(result.Exception?.Message);
            // The OBIE claims in the protected header: the TPP checks the bank's issuer there.
            var header = JsonNode.Parse(Base64UrlEncoder.Decode(set.Split('.')[0]))!;
            header["http://openbanking.org.uk/iss"]!.GetValue<string>().ShouldBe("sandbox-bank");
            header["http://openbanking.org.uk/tan"]!.GetValue<string>().ShouldBe("openbanking.org.uk");
            var claims = JsonNode.Parse(Base64UrlEncoder.Decode(((JsonWebToken)result.SecurityToken).EncodedPayload))!;
            header["http://openbanking.org.uk/iat"]!.GetValue<long>().ShouldBe(claims["iat"]!.GetValue<long>());
            var subject = claims["events"]!["urn:uk:org:openbanking:events:resource-update"]!["subject"]!;
            subject["http://openbanking.org.uk/rid"]!.GetValue<string>().ShouldBe(paymentId);
            subject["http://openbanking.org.uk/rty"]!.GetValue<string>().ShouldBe("domestic-payment");
            subject["http://openbanking.org.uk/rlk"]![0]!["version"]!.GetValue<string>().ShouldBe(linkVersion);
            subject["http://openbanking.org.uk/rlk"]![0]!["link"]!.GetValue<string>().ShouldEndWith("/domestic-payments/" + paymentId);
            claims["jti"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
            claims["txn"].ShouldNotBeNull();
            claims["toe"].ShouldNotBeNull();
        }

        Toe(first).ShouldBeLessThan(Toe(second));
        listener.ContentTypes.ShouldAllBe(c => c.StartsWith("application/jwt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedDelivery_RetriedAfterOneSecondOfSandboxTime()
    {
        await using var listener = await NotificationListener.StartAsync();
        using var tpp = TppClient.Register(Bank, Clock, "tpp-events", notificationUrl: listener.Url);
        await SubmitAsync(tpp, PisVersion.V4);
        listener.FailNext(1);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Bank.AdvanceStatuses();
        var retryAt = Clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        await Clock.WaitForTimerDueAtAsync(retryAt); // the retry timer is armed
        listener.Attempts.ShouldBe(1);
        listener.TryTake(out _).ShouldBeFalse();

        Clock.Advance(TimeSpan.FromSeconds(1));
        (await listener.NextAsync()).ShouldNotBeNullOrEmpty();
        listener.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task DuplicateNotification_SameSetDeliveredTwice()
    {
        await using var listener = await NotificationListener.StartAsync();
        using var tpp = TppClient.Register(Bank, Clock, "tpp-events", notificationUrl: listener.Url);
        await SubmitAsync(tpp, PisVersion.V4);
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.DuplicateNotification });

        Clock.Advance(TimeSpan.FromSeconds(1));
        Bank.AdvanceStatuses();

        var a = await listener.NextAsync();
        var b = await listener.NextAsync();
        Jti(a).ShouldBe(Jti(b));
        Clock.Advance(TimeSpan.FromSeconds(2));
        Bank.AdvanceStatuses();
        Jti(await listener.NextAsync()).ShouldNotBe(Jti(a));
    }

    [Fact]
    public async Task OutOfOrderNotification_EarlierEventArrivesAfterLaterOne()
    {
        await using var listener = await NotificationListener.StartAsync();
        using var tpp = TppClient.Register(Bank, Clock, "tpp-events", notificationUrl: listener.Url);
        await SubmitAsync(tpp, PisVersion.V3);
        Bank.Faults.Add(new FaultRule { Kind = FaultKind.OutOfOrderNotification });

        Clock.Advance(TimeSpan.FromSeconds(1));
        Bank.AdvanceStatuses();
        Clock.Advance(TimeSpan.FromSeconds(2));
        Bank.AdvanceStatuses();

        var first = await listener.NextAsync();
        var second = await listener.NextAsync();
        Toe(first).ShouldBeGreaterThan(Toe(second));
    }

    [Fact]
    public async Task HeaderFault_DuplicateNotification_AppliesToThatPayment()
    {
        await using var listener = await NotificationListener.StartAsync();
        using var tpp = TppClient.Register(Bank, Clock, "tpp-events", notificationUrl: listener.Url);
        await SubmitAsync(tpp, PisVersion.V4, fault: "DuplicateNotification");

        Clock.Advance(TimeSpan.FromSeconds(3));
        Bank.AdvanceStatuses().ShouldBe(2);

        var received = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            received.Add(await listener.NextAsync());
        }

        received.Select(Jti).Distinct().Count().ShouldBe(2);
    }

    private static long Toe(string set) => JsonNode.Parse(Base64UrlEncoder.Decode(set.Split('.')[1]))!["toe"]!.GetValue<long>();

    private static string Jti(string set) => JsonNode.Parse(Base64UrlEncoder.Decode(set.Split('.')[1]))!["jti"]!.GetValue<string>();

    private async Task<string> SubmitAsync(TppClient tpp, PisVersion version, string? fault = null)
    {
        var cc = await tpp.ClientCredentialsTokenAsync();
        using var consent = await tpp.PostAsync(version, "domestic-payment-consents", Bodies.Consent(Bodies.Initiation("2.50")).ToJsonString(), cc, Guid.NewGuid().ToString());
        var consentId = (await ReadValidAsync(consent, version, "POST", "/domestic-payment-consents", HttpStatusCode.Created))["Data"]!["ConsentId"]!.GetValue<string>();
        var token = await tpp.AuthorisedTokenAsync(consentId);
        using var payment = await tpp.PostAsync(version, "domestic-payments", Bodies.Payment(consentId, Bodies.Initiation("2.50")).ToJsonString(), token, Guid.NewGuid().ToString(), fault: fault);
        return (await ReadValidAsync(payment, version, "POST", "/domestic-payments", HttpStatusCode.Created))["Data"]!["DomesticPaymentId"]!.GetValue<string>();
    }
}

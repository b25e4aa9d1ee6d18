using System.Text;
using Settlement.OpenBanking.Notifications;

namespace Settlement.OpenBanking.Tests.Notifications;

/// <summary>The claims of a bank's event notification are untrusted: every bad one is refused with its reason, never thrown.</summary>
public sealed class EventNotificationClaimsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Claims(string iat)
    {
        const string Subject =
            "{\"subject_type\":\"http://openbanking.org.uk/rid_http://openbanking.org.uk/rty\",\"http://openbanking.org.uk/rid\":\"pmt-1\","
            + "\"http://openbanking.org.uk/rty\":\"domestic-payments\",\"http://openbanking.org.uk/rlk\":[]}";
        var json = "{\"iss\":\"https://bank.test\",\"aud\":\"client-1\",\"jti\":\"n-1\",\"iat\":" + iat
            + ",\"events\":{\"" + EventNotificationVerifier.ResourceUpdate + "\":{\"subject\":" + Subject + "}}}";
        return Encoding.UTF8.GetBytes(json);
    }

    [Theory]
    [InlineData("\"1796212800\"")] // a number in a string
    [InlineData("null")]
    [InlineData("1.5e3x")]
    [InlineData("{}")]
    public void TryReadClaims_IatNotAnInteger_RefusedNotThrown(string iat)
    {
        var ok = EventNotificationVerifier.TryReadClaims(Claims(iat), "https://bank.test", "client-1", Now, out var ev, out var error);

        ok.ShouldBeFalse();
        ev.ShouldBeNull();
        error.ShouldBeOneOf("iat missing or in the future", "claims are not JSON");
    }

    [Fact]
    public void TryReadClaims_IatAsAString_RefusedForTheIat()
    {
        EventNotificationVerifier.TryReadClaims(Claims("\"1796212800\""), "https://bank.test", "client-1", Now, out _, out var error).ShouldBeFalse();
        error.ShouldBe("iat missing or in the future");
    }

    [Fact]
    public void TryReadClaims_IatInTheFutureBeyondFiveMinutes_Refused_WithinFiveMinutes_Accepted()
    {
        var late = Now.AddMinutes(5).AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        EventNotificationVerifier.TryReadClaims(Claims(late), "https://bank.test", "client-1", Now, out _, out var error).ShouldBeFalse();
        error.ShouldBe("iat missing or in the future");

        var edge = Now.AddMinutes(5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        EventNotificationVerifier.TryReadClaims(Claims(edge), "https://bank.test", "client-1", Now, out var ev, out var edgeError).ShouldBeTrue(edgeError);
        ev!.ResourceId.ShouldBe("pmt-1");
    }
}

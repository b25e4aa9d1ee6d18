using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Signing;

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

    [Fact]
    public void TryReadClaims_InvalidUtf8InsideAString_NotUtf8NotAnException()
    {
        // 0xC3 0x28 (a lead byte then '(') inside the jti: JsonDocument parses it and throws InvalidOperationException
        // only when the string is read.
        var claims = Encoding.UTF8.GetString(Claims("1796212800"));
        var at = claims.IndexOf("\"jti\":\"", StringComparison.Ordinal) + "\"jti\":\"".Length;
        byte[] bad = [.. Encoding.UTF8.GetBytes(claims[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(claims[at..])];

        var ok = EventNotificationVerifier.TryReadClaims(bad, "https://bank.test", "client-1", Now, out var ev, out var error);

        ok.ShouldBeFalse();
        ev.ShouldBeNull();
        error.ShouldBe("claims are not UTF-8");
        EventNotificationVerifier.TryReadClaims(Claims("1796212800"), "https://bank.test", "client-1", Now, out _, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task VerifyAsync_InvalidUtf8InsideTheHeader_NotUtf8NotAnException_BankNotAsked()
    {
        // The header is read before the signature is checked, so anyone who can post a notification controls it.
        byte[] header = [.. """{"alg":"PS256","kid":"kid-"""u8, 0xC3, 0x28, .. "\"}"u8];
        var jwt = Base64Url.Encode(header) + "." + Base64Url.Encode(Claims("1796212800")) + ".AAAA";
        var asked = 0;
        using var metadata = new BankMetadata(
            "bank", new Uri("https://bank.test/.well-known/openid-configuration"), () => throw new InvalidOperationException($"asked {++asked}"), TimeProvider.System, NullLogger.Instance);

        var (ev, error) = await EventNotificationVerifier.VerifyAsync(jwt, metadata, "client-1", null, Now, CancellationToken.None);

        ev.ShouldBeNull();
        error.ShouldBe("header is not UTF-8");
        asked.ShouldBe(0);
    }
}

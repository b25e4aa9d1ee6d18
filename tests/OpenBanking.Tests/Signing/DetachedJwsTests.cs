using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Signing;

public sealed class DetachedJwsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private readonly SigningKey _key = SigningKey.Generate("kid-1");
    private readonly byte[] _body = Encoding.UTF8.GetBytes("{\"Data\":{\"Initiation\":{\"InstructedAmount\":{\"Amount\":\"10.50\",\"Currency\":\"GBP\"}}},\"Risk\":{}}");

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task Sign_ThenVerify_Valid()
    {
        var jws = DetachedJws.Sign(_body, _key, "org/software", Now);
        var result = await Verify(jws, _body);
        result.IsValid.ShouldBeTrue(result.Failure);
        result.KeyId.ShouldBe("kid-1");
        result.Issuer.ShouldBe("org/software");
    }

    [Fact]
    public void Sign_Header_HasObieClaimsAndNoB64()
    {
        var jws = DetachedJws.Sign(_body, _key, "org/software", Now);
        var parts = jws.Split('.');
        parts.Length.ShouldBe(3);
        parts[1].ShouldBeEmpty();
        Base64Url.TryDecode(parts[0], out var headerBytes).ShouldBeTrue();
        using var header = JsonDocument.Parse(headerBytes!);
        var h = header.RootElement;
        h.GetProperty("alg").GetString().ShouldBe("PS256");
        h.GetProperty("kid").GetString().ShouldBe("kid-1");
        h.GetProperty("typ").GetString().ShouldBe("JOSE");
        h.GetProperty("cty").GetString().ShouldBe("application/json");
        h.GetProperty(DetachedJws.IatClaim).GetInt64().ShouldBe(Now.ToUnixTimeSeconds());
        h.GetProperty(DetachedJws.IssClaim).GetString().ShouldBe("org/software");
        h.GetProperty(DetachedJws.TanClaim).GetString().ShouldBe("openbanking.org.uk");
        h.GetProperty("crit").EnumerateArray().Select(e => e.GetString()).ShouldBe([DetachedJws.IatClaim, DetachedJws.IssClaim, DetachedJws.TanClaim]);
        h.TryGetProperty("b64", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Verify_BodyChangedByOneByte_Invalid()
    {
        var jws = DetachedJws.Sign(_body, _key, "iss", Now);
        var tampered = (byte[])_body.Clone();
        tampered[30] ^= 1;
        var result = await Verify(jws, tampered);
        result.IsValid.ShouldBeFalse();
        result.Failure.ShouldBe("signature does not verify");
    }

    [Fact]
    public async Task Verify_OtherKeySameKid_Invalid()
    {
        using var other = SigningKey.Generate("kid-1");
        var jws = DetachedJws.Sign(_body, other, "iss", Now);
        (await Verify(jws, _body)).IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task Verify_UnknownKid_Invalid()
    {
        using var other = SigningKey.Generate("kid-2");
        var jws = DetachedJws.Sign(_body, other, "iss", Now);
        var result = await Verify(jws, _body);
        result.IsValid.ShouldBeFalse();
        result.Failure!.ShouldContain("unknown kid");
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("..")]
    [InlineData("!!..!!")]
    public async Task Verify_Malformed_InvalidWithoutThrowing(string jws) =>
        (await Verify(jws, _body)).IsValid.ShouldBeFalse();

    [Theory]
    [InlineData("b64")]
    [InlineData("crit")]
    [InlineData("tan")]
    [InlineData("alg")]
    [InlineData("iat-future")]
    [InlineData("iat-string")]
    public async Task Verify_HeaderRuleBroken_Invalid(string broken)
    {
        var header = new Dictionary<string, object>
        {
            ["alg"] = broken == "alg" ? "RS256" : "PS256",
            ["kid"] = "kid-1",
            ["typ"] = "JOSE",
            ["cty"] = "application/json",
            [DetachedJws.IatClaim] = broken switch
            {
                "iat-future" => Now.AddHours(1).ToUnixTimeSeconds(),
                "iat-string" => Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), // a number in a string: refused, never thrown
                _ => (object)Now.ToUnixTimeSeconds(),
            },
            [DetachedJws.IssClaim] = "iss",
            [DetachedJws.TanClaim] = broken == "tan" ? "example.com" : "openbanking.org.uk",
            ["crit"] = broken == "crit" ? new[] { DetachedJws.IatClaim } : new[] { DetachedJws.IatClaim, DetachedJws.IssClaim, DetachedJws.TanClaim },
        };
        if (broken == "b64")
        {
            header["b64"] = false;
        }

        // The production signer under a broken header: no second copy of the signing code.
        var jws = DetachedJws.SignWithHeader(JsonSerializer.SerializeToUtf8Bytes(header), _body, _key);
        (await Verify(jws, _body)).IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task Verify_InvalidUtf8InsideAHeaderString_NotUtf8NotAnException()
    {
        // 0xC3 0x28 (a lead byte then '(') inside the kid: JsonDocument parses it and throws InvalidOperationException
        // only when the string is read. Signed by the right key, so only the header's bytes are wrong.
        var iat = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = $$"""
            {"alg":"PS256","kid":"kid-1?","{{DetachedJws.IatClaim}}":{{iat}},"{{DetachedJws.IssClaim}}":"iss","{{DetachedJws.TanClaim}}":"openbanking.org.uk","crit":["{{DetachedJws.IatClaim}}","{{DetachedJws.IssClaim}}","{{DetachedJws.TanClaim}}"]}
            """;
        var at = text.IndexOf('?', StringComparison.Ordinal);
        byte[] header = [.. Encoding.UTF8.GetBytes(text[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(text[(at + 1)..])];
        var jws = DetachedJws.SignWithHeader(header, _body, _key);

        var result = await Verify(jws, _body);

        result.IsValid.ShouldBeFalse();
        result.Failure.ShouldBe("header is not UTF-8");
    }

    [Fact]
    public async Task Verify_ExpectedIssuerDiffers_Invalid()
    {
        var jws = DetachedJws.Sign(_body, _key, "someone-else", Now);
        var result = await DetachedJws.VerifyAsync(jws, _body, Resolve, new JwsExpectations(Now, "bank-org"), CancellationToken.None);
        result.IsValid.ShouldBeFalse();
        result.Failure.ShouldBe("iss claim 'someone-else' is not the bank's 'bank-org'");
    }

    [Fact]
    public void SigningKey_ToString_ShowsOnlyKid()
    {
        _key.ToString().ShouldBe("SigningKey(kid=kid-1)");
    }

    [Fact]
    public void SigningKey_TryLoad_PemAndJwkAndGarbage()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var pem = Path.Combine(dir, "k.pem");
            File.WriteAllText(pem, _key.ExportPkcs8Pem());
            SigningKey.TryLoad(pem, "k", out var loaded, out _).ShouldBeTrue();
            loaded!.PublicJwk()["n"].ShouldBe(_key.PublicJwk()["n"]);
            loaded.Dispose();

            var p = _key.Rsa.ExportParameters(true);
            var jwk = Path.Combine(dir, "k.jwk");
            File.WriteAllText(jwk, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["n"] = Base64Url.Encode(p.Modulus!), ["e"] = Base64Url.Encode(p.Exponent!), ["d"] = Base64Url.Encode(p.D!),
                ["p"] = Base64Url.Encode(p.P!), ["q"] = Base64Url.Encode(p.Q!), ["dp"] = Base64Url.Encode(p.DP!), ["dq"] = Base64Url.Encode(p.DQ!), ["qi"] = Base64Url.Encode(p.InverseQ!),
            }));
            SigningKey.TryLoad(jwk, "k", out var fromJwk, out var jwkError).ShouldBeTrue(jwkError);
            fromJwk!.PublicJwk()["n"].ShouldBe(_key.PublicJwk()["n"]);
            fromJwk.Dispose();

            var publicOnly = Path.Combine(dir, "pub.pem");
            File.WriteAllText(publicOnly, _key.Rsa.ExportSubjectPublicKeyInfoPem());
            SigningKey.TryLoad(publicOnly, "k", out _, out var pubError).ShouldBeFalse();
            pubError.ShouldNotBeNull();

            var garbage = Path.Combine(dir, "g.pem");
            File.WriteAllText(garbage, "not a key");
            SigningKey.TryLoad(garbage, "k", out _, out var error).ShouldBeFalse();
            error!.ShouldNotContain("not a key");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private ValueTask<RSA?> Resolve(string kid, CancellationToken ct) => ValueTask.FromResult<RSA?>(kid == "kid-1" ? _key.Rsa : null);

    private ValueTask<JwsVerification> Verify(string jws, byte[] body) =>
        DetachedJws.VerifyAsync(jws, body, Resolve, new JwsExpectations(Now), CancellationToken.None);
}

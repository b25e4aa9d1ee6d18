using System.Numerics;
using System.Text;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Transport;

/// <summary>The three HTTP 402 documents: exact round trips, each refusal's reason, and 100,000 mutated headers that never throw.</summary>
public sealed class Http402CodecTests
{
    private static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private static readonly Address Payee = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly Address Token = Address.Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    private static readonly ChannelId Channel = ChannelId.Parse("0x" + new string('a', 64));

    private static PaymentPayload Payload(BigInteger amount)
    {
        using var key = PrivateKey.Create(Enumerable.Repeat((byte)7, 32).ToArray());
        var domain = new ChannelDomain(31337, Contract);
        var voucher = new Voucher(Channel, amount);
        return PaymentPayload.FromVoucher(31337, Contract, new SignedVoucher(voucher, voucher.Sign(key, domain)));
    }

    private static PaymentOffer Offer(BigInteger? stored = null) => new(
        31337, Contract, Payee, Token, 1000, 1000, 2, 2000, 100_000, 60, Payee, stored is null ? null : Channel, stored);

    [Fact]
    public void Payload_RoundTripsExactly()
    {
        var payload = Payload(BigInteger.Pow(2, 96) - 1);

        Http402Codec.TryDecodePayloadHeader(Http402Codec.EncodeHeader(payload), out var decoded, out var error).ShouldBeTrue(error);

        decoded.ChainId.ShouldBe(payload.ChainId);
        decoded.Contract.ShouldBe(Contract);
        decoded.ChannelId.ShouldBe(Channel);
        decoded.CumulativeAmount.ShouldBe(payload.CumulativeAmount);
        decoded.Signature.ToArray().ShouldBe(payload.Signature.ToArray());
    }

    [Fact]
    public void Required_HeaderAndBody_RoundTripWithAndWithoutTheOptionalFields()
    {
        foreach (var required in new[]
                 {
                     new PaymentRequired(PaymentErrors.PaymentRequired, null, "/quote", [Offer()]),
                     new PaymentRequired(PaymentErrors.VoucherRejected, "stale", "/a/b", [Offer(stored: 5000)]),
                 })
        {
            Http402Codec.TryDecodeRequiredHeader(Http402Codec.EncodeHeader(required), out var fromHeader, out var error).ShouldBeTrue(error);
            Http402Codec.TryDecodeRequired(Http402Codec.EncodeJson(required), out var fromBody, out error).ShouldBeTrue(error);
            foreach (var decoded in new[] { fromHeader, fromBody })
            {
                decoded.Error.ShouldBe(required.Error);
                decoded.Reason.ShouldBe(required.Reason);
                decoded.Resource.ShouldBe(required.Resource);
                decoded.Accepts.Single().ShouldBe(required.Accepts.Single());
            }
        }
    }

    [Fact]
    public void Required_OffersOfOtherSchemes_AreSkippedNotRefused()
    {
        var json = """{"x402Version":2,"error":"payment_required","resource":{"url":"/"},"accepts":[{"scheme":"exact","network":"eip155:8453"}]}""";

        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(json), out var required, out var error).ShouldBeTrue(error);

        required.Accepts.ShouldBeEmpty();
    }

    [Fact]
    public void Response_RoundTripsANegativeCreditAndTheReceipt()
    {
        var signature = Payload(1).Signature.ToArray();
        var response = new PaymentResponse(31337, Channel, 1234, 1000, -600, 1_800_000_000, EcdsaSignature.ParseRsv(signature));

        Http402Codec.TryDecodeResponseHeader(Http402Codec.EncodeHeader(response), out var decoded, out var error).ShouldBeTrue(error);

        decoded.ShouldBe(response);
    }

    [Theory]
    [InlineData(null, "empty header")]
    [InlineData("", "empty header")]
    [InlineData("***", "header is not base64")]
    [InlineData("bm90IGpzb24=", "not JSON")]
    [InlineData("WzFd", "not a JSON object")]
    [InlineData("e8F9", "not UTF-8")]
    public void Payload_Unreadable_RefusedWithItsReason(string? header, string reason)
    {
        Http402Codec.TryDecodePayloadHeader(header, out var payload, out var error).ShouldBeFalse();

        payload.ShouldBeNull();
        error.ShouldBe(reason);
    }

    [Fact]
    public void Payload_TooLong_RefusedUnread() =>
        Decode(new string('A', PaymentHeaders.MaxHeaderLength + 1)).ShouldBe($"header longer than {PaymentHeaders.MaxHeaderLength} characters");

    [Theory]
    [InlineData("x402Version", "1", "x402Version: must be 2")]
    [InlineData("scheme", "\"exact\"", "scheme: 'exact' is not l2pay-channel")]
    [InlineData("network", "\"eip155:0\"", "network: 'eip155:0' is not eip155:<chain id>")]
    [InlineData("network", "\"eip155:031337\"", "network: 'eip155:031337' is not eip155:<chain id>")]
    [InlineData("network", "\"solana:1\"", "network: 'solana:1' is not eip155:<chain id>")]
    [InlineData("network", "31337", "network: missing or not a string")]
    [InlineData("contract", "\"0x1234\"", "contract: not a 20-byte 0x address")]
    [InlineData("channelId", "\"0xabcd\"", "channelId: not a 32-byte 0x id")]
    [InlineData("cumulativeAmount", "\"-1\"", "cumulativeAmount: not a canonical non-negative decimal integer")]
    [InlineData("cumulativeAmount", "\"01\"", "cumulativeAmount: not a canonical non-negative decimal integer")]
    [InlineData("cumulativeAmount", "\"1.5\"", "cumulativeAmount: not a canonical non-negative decimal integer")]
    [InlineData("cumulativeAmount", "1000", "cumulativeAmount: missing or not a string")]
    [InlineData("signature", "\"abcd\"", "signature: not 0x hex of at most 65 bytes")]
    [InlineData("signature", "\"0xzz\"", "signature: not 0x hex of at most 65 bytes")]
    public void Payload_AFieldWrong_RefusedNamingTheField(string field, string value, string reason)
    {
        var fields = new Dictionary<string, string>
        {
            ["x402Version"] = "2",
            ["scheme"] = "\"l2pay-channel\"",
            ["network"] = "\"eip155:31337\"",
            ["contract"] = $"\"{Contract}\"",
            ["channelId"] = $"\"{Channel}\"",
            ["cumulativeAmount"] = "\"1000\"",
            ["signature"] = $"\"0x{new string('1', 130)}\"",
        };
        fields[field] = value;
        var json = "{\"x402Version\":" + fields["x402Version"] + ",\"scheme\":" + fields["scheme"] + ",\"network\":" + fields["network"]
            + ",\"payload\":{\"contract\":" + fields["contract"] + ",\"channelId\":" + fields["channelId"]
            + ",\"cumulativeAmount\":" + fields["cumulativeAmount"] + ",\"signature\":" + fields["signature"] + "}}";

        Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(json))).ShouldBe(reason);
    }

    [Fact]
    public void Decoders_100000MutatedHeaders_NeverThrow_AndWhatTheyAcceptReencodesToTheSame()
    {
        var random = new Random(0x402);
        var seeds = new[]
        {
            Encoding.UTF8.GetBytes(Http402Codec.EncodeHeader(Payload(123_456))),
            Encoding.UTF8.GetBytes(Http402Codec.EncodeHeader(new PaymentRequired("payment_required", "x", "/q", [Offer(stored: 7)]))),
            Encoding.UTF8.GetBytes(Http402Codec.EncodeHeader(new PaymentResponse(1, Channel, 5, 5, -5, 9, null))),
        };
        var jsonSeeds = seeds.Select(s => Convert.FromBase64String(Encoding.UTF8.GetString(s))).ToArray();
        var accepted = 0;

        for (var i = 0; i < 100_000; i++)
        {
            // Half mutate the JSON inside valid base64, half mutate the base64 text itself.
            var json = (byte[])jsonSeeds[random.Next(jsonSeeds.Length)].Clone();
            string header;
            if (i % 2 == 0)
            {
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    json[random.Next(json.Length)] = (byte)random.Next(32, 127);
                }

                header = Convert.ToBase64String(json);
            }
            else
            {
                var text = Encoding.UTF8.GetBytes(Convert.ToBase64String(json));
                text[random.Next(text.Length)] = (byte)random.Next(0, 256);
                header = Encoding.Latin1.GetString(text);
            }

            if (Http402Codec.TryDecodePayloadHeader(header, out var payload, out _))
            {
                accepted++;
                Http402Codec.TryDecodePayloadHeader(Http402Codec.EncodeHeader(payload), out var again, out _).ShouldBeTrue();
                again.CumulativeAmount.ShouldBe(payload.CumulativeAmount);
                again.Signature.ToArray().ShouldBe(payload.Signature.ToArray());
            }

            if (Http402Codec.TryDecodeRequiredHeader(header, out var required, out _))
            {
                accepted++;
                Http402Codec.TryDecodeRequiredHeader(Http402Codec.EncodeHeader(required), out var again, out _).ShouldBeTrue();
                again.Accepts.ShouldBe(required.Accepts);
            }

            if (Http402Codec.TryDecodeResponseHeader(header, out var response, out _))
            {
                accepted++;
                Http402Codec.TryDecodeResponseHeader(Http402Codec.EncodeHeader(response), out var again, out _).ShouldBeTrue();
                again.ShouldBe(response);
            }
        }

        accepted.ShouldBeGreaterThan(0); // some mutations (inside strings) stay valid, and are then read consistently
    }

    [Theory]
    [InlineData("""{"x402Version":2,"error":"e","resource":{"url":"/"}}""", "accepts: missing or not an array")]
    [InlineData("""{"x402Version":2,"error":"e","resource":{"url":"/"},"accepts":{}}""", "accepts: missing or not an array")]
    [InlineData("""{"x402Version":2,"error":"e","resource":{"url":"/"},"accepts":[1]}""", "accepts: an item is not an object")]
    [InlineData("""{"x402Version":2,"error":"e","resource":"/","accepts":[]}""", "resource: missing or not an object")]
    [InlineData("""{"x402Version":2,"error":"e","reason":5,"resource":{"url":"/"},"accepts":[]}""", "reason: not a string")]
    [InlineData("""{"x402Version":2,"error":7,"resource":{"url":"/"},"accepts":[]}""", "error: missing or not a string")]
    [InlineData("""{"x402Version":"2","error":"e","resource":{"url":"/"},"accepts":[]}""", "x402Version: must be 2")]
    public void Required_AFieldWrong_RefusedNamingIt(string json, string reason)
    {
        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(json), out var required, out var error).ShouldBeFalse();

        required.ShouldBeNull();
        error.ShouldBe(reason);
    }

    [Theory]
    [InlineData("maxTimeoutSeconds", "-1", "maxTimeoutSeconds: missing or not a non-negative integer")]
    [InlineData("maxTimeoutSeconds", "\"60\"", "maxTimeoutSeconds: missing or not a non-negative integer")]
    [InlineData("amount", "\"1e3\"", "amount: not a canonical non-negative decimal integer")]
    [InlineData("payTo", "\"0x12\"", "payTo: not a 20-byte 0x address")]
    public void Required_AnOfferFieldWrong_RefusedNamingIt(string field, string value, string reason)
    {
        var json = Encoding.UTF8.GetString(Http402Codec.EncodeJson(new PaymentRequired("payment_required", null, "/", [Offer()])));
        var original = field == "maxTimeoutSeconds" ? "\"maxTimeoutSeconds\":60" : null;
        json = original is not null
            ? json.Replace(original, $"\"{field}\":{value}", StringComparison.Ordinal)
            : System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\":\"[^\"]*\"", $"\"{field}\":{value}");

        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(json), out var required, out var error).ShouldBeFalse(json);

        required.ShouldBeNull();
        error.ShouldBe(reason);
    }

    [Fact]
    public void Required_ZeroTimeout_IsRead() =>
        Http402Codec.TryDecodeRequiredHeader(
            Http402Codec.EncodeHeader(new PaymentRequired("payment_required", null, "/", [Offer() with { MaxTimeoutSeconds = 0 }])), out var required, out _)
        .ShouldBeTrue();

    [Theory]
    [InlineData("success", "false", "success: missing or not true")]
    [InlineData("scheme", "\"exact\"", "scheme: 'exact' is not l2pay-channel")]
    [InlineData("credit", "\"-0\"", "credit: not a canonical decimal integer")]
    [InlineData("credit", "\"--5\"", "credit: not a canonical decimal integer")]
    [InlineData("credit", "5", "credit: missing or not a string")]
    [InlineData("receipt", "{\"issuedAt\":-1,\"signature\":\"0x00\"}", "receipt: malformed")]
    [InlineData("receipt", "{\"issuedAt\":1,\"signature\":\"0x00\"}", "receipt: malformed")]
    [InlineData("receipt", "[]", "receipt: malformed")]
    [InlineData("receipt", "{\"issuedAt\":\"1\",\"signature\":\"0x00\"}", "receipt: malformed")]
    public void Response_AFieldWrong_RefusedNamingIt(string field, string value, string reason)
    {
        var response = new PaymentResponse(31337, Channel, 5, 5, -5, 9, EcdsaSignature.ParseRsv(Payload(1).Signature.Span));
        using var document = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Http402Codec.EncodeHeader(response)));
        var fields = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        fields[field] = value;
        var json = "{" + string.Join(",", fields.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";

        Http402Codec.TryDecodeResponseHeader(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), out var decoded, out var error).ShouldBeFalse();

        decoded.ShouldBeNull();
        error.ShouldBe(reason);
    }

    [Fact]
    public void Limits_AtTheEdge_AcceptedOrRefusedExactly()
    {
        // A header of exactly the limit is read (and then found not to be JSON); one more character is refused unread.
        Decode(new string('A', PaymentHeaders.MaxHeaderLength)).ShouldBe("not JSON");

        // 78 digits (2^256 − 1 has 78) is an amount, 79 is not; a 65-byte signature is read, 66 bytes is not.
        var max = BigInteger.Pow(2, 256) - 1;
        var payload = Payload(1) with { CumulativeAmount = max };
        Http402Codec.TryDecodePayloadHeader(Http402Codec.EncodeHeader(payload), out var decoded, out var error).ShouldBeTrue(error);
        decoded.CumulativeAmount.ShouldBe(max);
        Decode(Http402Codec.EncodeHeader(payload with { CumulativeAmount = BigInteger.Pow(10, 78) })).ShouldBe("cumulativeAmount: not a canonical non-negative decimal integer");
        Decode(Http402Codec.EncodeHeader(payload with { Signature = new byte[66] })).ShouldBe("signature: not 0x hex of at most 65 bytes");
        Http402Codec.TryDecodePayloadHeader(Http402Codec.EncodeHeader(payload with { CumulativeAmount = 0 }), out decoded, out error).ShouldBeTrue(error);
        decoded.CumulativeAmount.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public void Refusal_QuotesALongValueShortened()
    {
        var json = Convert.FromBase64String(Http402Codec.EncodeHeader(Payload(1)));
        var text = Encoding.UTF8.GetString(json).Replace("\"l2pay-channel\"", "\"" + new string('x', 41) + "\"", StringComparison.Ordinal);

        Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))).ShouldBe($"scheme: '{new string('x', 40)}…' is not l2pay-channel");
    }

    [Fact]
    public void Encoders_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => Http402Codec.EncodeJson(null!));
        Should.Throw<ArgumentNullException>(() => Http402Codec.EncodeHeader((PaymentPayload)null!));
        Should.Throw<ArgumentNullException>(() => Http402Codec.EncodeHeader((PaymentResponse)null!));
        Should.Throw<ArgumentNullException>(() => PaymentPayload.FromVoucher(1, Contract, null!));
        Should.Throw<ArgumentOutOfRangeException>(() => Http402Codec.EncodeHeader(Payload(1) with { CumulativeAmount = -1 }));
    }

    [Theory]
    [InlineData("contract", "contract: missing or not a string")]
    [InlineData("channelId", "channelId: missing or not a string")]
    [InlineData("cumulativeAmount", "cumulativeAmount: missing or not a string")]
    [InlineData("signature", "signature: missing or not a string")]
    public void Payload_AFieldMissing_RefusedNamingIt(string field, string reason)
    {
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(Http402Codec.EncodeHeader(Payload(1))));
        json = System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\":\"[^\"]*\",?", "").Replace(",}", "}", StringComparison.Ordinal);

        Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(json))).ShouldBe(reason);
    }

    [Fact]
    public void Required_AnOfferWithoutAScheme_RefusedForTheScheme()
    {
        var json = """{"x402Version":2,"error":"e","resource":{"url":"/"},"accepts":[{"network":"eip155:1"}]}""";

        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(json), out _, out var error).ShouldBeFalse();

        error.ShouldBe("scheme: missing or not a string");
    }

    [Fact]
    public void Required_BodyAtTheDocumentLimit_Read_OneByteMore_Refused()
    {
        var limit = PaymentHeaders.MaxHeaderLength * 4;
        var prefix = """{"x402Version":2,"error":"e","resource":{"url":"/"},"accepts":[],"pad":" """;
        var atLimit = prefix + new string('x', limit - prefix.Length - 2) + "\"}";
        atLimit.Length.ShouldBe(limit);

        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(atLimit), out var required, out var error).ShouldBeTrue(error);
        required.Accepts.ShouldBeEmpty();
        Http402Codec.TryDecodeRequired(Encoding.UTF8.GetBytes(atLimit.Insert(prefix.Length, "x")), out _, out error).ShouldBeFalse();
        error.ShouldBe("document too long");
    }

    [Fact]
    public void Refusal_QuotesAValueOfFortyCharactersWhole()
    {
        var json = Convert.FromBase64String(Http402Codec.EncodeHeader(Payload(1)));
        var text = Encoding.UTF8.GetString(json).Replace("\"l2pay-channel\"", "\"" + new string('y', 40) + "\"", StringComparison.Ordinal);

        Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))).ShouldBe($"scheme: '{new string('y', 40)}' is not l2pay-channel");
    }

    private static string? Decode(string header)
    {
        Http402Codec.TryDecodePayloadHeader(header, out var payload, out var error).ShouldBeFalse();
        payload.ShouldBeNull();
        return error;
    }
}

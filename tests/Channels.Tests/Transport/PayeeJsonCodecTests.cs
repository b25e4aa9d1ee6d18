using System.Text;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using static Settlement.Channels.Tests.Transport.FrameSamples;

namespace Settlement.Channels.Tests.Transport;

public sealed class PayeeJsonCodecTests
{
    private static readonly string ChannelHex = "0x" + new string('1', 64);
    private static readonly string SignatureHex = "0x" + new string('2', 64) + new string('3', 64) + "1c";

    private static string VoucherJson(string amount = "\"1000000\"", string? signature = null) =>
        $$"""{"type":"voucher","channelId":"{{ChannelHex}}","cumulativeAmount":{{amount}},"signature":"{{signature ?? SignatureHex}}"}""";

    [Fact]
    public void Encode_Voucher_IsTheDocumentedObject()
    {
        PayeeFrameCodec.TryDecode(PayeeFrameCodec.Encode(new VoucherFrame(Channel, 1_000_000, Convert.FromHexString(SignatureHex[2..]))), out var frame, out _)
            .ShouldBeTrue();

        PayeeJsonCodec.Encode(frame).ShouldBe(VoucherJson());
    }

    [Fact]
    public void Encode_EveryType_UsesCamelCaseNamesAndDiscriminator()
    {
        PayeeJsonCodec.Encode(new HelloFrame(1, 31337, Contract))
            .ShouldBe("""{"type":"hello","version":1,"chainId":31337,"contract":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}""");
        PayeeJsonCodec.Encode(new ReceiptRequestFrame(Channel)).ShouldBe($$"""{"type":"receiptRequest","channelId":"{{ChannelHex}}"}""");
        PayeeJsonCodec.Encode(new HelloAckFrame(1, Contract, 100, 30, 256)).ShouldBe(
            """{"type":"helloAck","version":1,"payee":"0x5FbDB2315678afecb367f032d93F642f64180aa3","receiptEveryVouchers":100,"receiptEverySeconds":30,"maxVouchersInFlight":256}""");
        PayeeJsonCodec.Encode(new AckFrame(Channel, AckOutcome.Rejected, VoucherRejectCode.ExceedsDeposit, 5, 4)).ShouldBe(
            $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"rejected","rejectCode":"exceedsDeposit","submittedAmount":"5","storedAmount":"4"}""");
        PayeeJsonCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, null, 5, 5)).ShouldBe(
            $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"accepted","submittedAmount":"5","storedAmount":"5"}""");
        PayeeJsonCodec.Encode(new ReceiptFrame(Channel, 5, 1_700_000_000, Convert.FromHexString(SignatureHex[2..]))).ShouldBe(
            $$"""{"type":"receipt","channelId":"{{ChannelHex}}","cumulativeAmount":"5","issuedAt":1700000000,"signature":"{{SignatureHex}}"}""");
        PayeeJsonCodec.Encode(new RefundFrame(Channel, 5, Convert.FromHexString(SignatureHex[2..]))).ShouldBe(
            $$"""{"type":"refund","channelId":"{{ChannelHex}}","cumulativeAmount":"5","signature":"{{SignatureHex}}"}""");
        PayeeJsonCodec.Encode(new ErrorFrame(VoucherRejectCode.WrongContract)).ShouldBe("""{"type":"error","code":"wrongContract"}""");
        PayeeJsonCodec.Encode(new ErrorFrame((VoucherRejectCode)200)).ShouldBe("""{"type":"error","code":200}""");
    }

    [Fact]
    public void TryDecode_VoucherWithV0_NormalisesTo27()
    {
        var signature = "0x" + new string('2', 64) + new string('3', 64) + "00";

        PayeeJsonCodec.TryDecode(VoucherJson(signature: signature), out var frame, out _).ShouldBeTrue();

        ((VoucherFrame)frame).Signature.Span[64].ShouldBe((byte)27);
    }

    [Fact]
    public void TryDecode_MembersInAnyOrderAndWhitespace_Accepted()
    {
        var json = $$"""
            { "signature" : "{{SignatureHex}}", "cumulativeAmount": "0",
              "channelId": "{{ChannelHex.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}}", "type": "voucher" }
            """;

        PayeeJsonCodec.TryDecode(json, out var frame, out _).ShouldBeTrue();
        ((VoucherFrame)frame).CumulativeAmount.IsZero.ShouldBeTrue();
    }

    public static TheoryData<string, string, VoucherRejectCode> RefusedDocuments() => new()
    {
        { "not json", "voucher", VoucherRejectCode.MalformedFrame },
        { "empty", "", VoucherRejectCode.MalformedFrame },
        { "array", "[]", VoucherRejectCode.MalformedFrame },
        { "string", "\"voucher\"", VoucherRejectCode.MalformedFrame },
        { "deep nesting", new string('[', 2_000) + new string(']', 2_000), VoucherRejectCode.MalformedFrame },
        { "deep nesting over 4 KiB", new string('[', 5_000) + new string(']', 5_000), VoucherRejectCode.OversizedFrame },
        { "nested member", VoucherJson(amount: "{\"a\":[1]}"), VoucherRejectCode.MalformedFrame },
        { "trailing content", VoucherJson() + " {}", VoucherRejectCode.MalformedFrame },
        { "unknown type", """{"type":"bye"}""", VoucherRejectCode.MalformedFrame },
        { "type not a string", """{"type":3}""", VoucherRejectCode.MalformedFrame },
        { "no type", """{"code":"wrongChain"}""", VoucherRejectCode.MalformedFrame },
        { "unknown member", VoucherJson()[..^1] + ",\"nonce\":1}", VoucherRejectCode.MalformedFrame },
        { "repeated member", VoucherJson()[..^1] + ",\"cumulativeAmount\":\"1\"}", VoucherRejectCode.MalformedFrame },
        { "missing member", $$"""{"type":"voucher","channelId":"{{ChannelHex}}","cumulativeAmount":"1"}""", VoucherRejectCode.MalformedFrame },
        { "amount as number", VoucherJson(amount: "1000000"), VoucherRejectCode.MalformedFrame },
        { "amount negative", VoucherJson(amount: "\"-1\""), VoucherRejectCode.MalformedFrame },
        { "amount leading zero", VoucherJson(amount: "\"01\""), VoucherRejectCode.MalformedFrame },
        { "amount exponent", VoucherJson(amount: "\"1e6\""), VoucherRejectCode.MalformedFrame },
        { "amount empty", VoucherJson(amount: "\"\""), VoucherRejectCode.MalformedFrame },
        { "amount 2^96", VoucherJson(amount: "\"79228162514264337593543950336\""), VoucherRejectCode.ExceedsDeposit },
        { "amount 400 digits", VoucherJson(amount: "\"" + new string('9', 400) + "\""), VoucherRejectCode.ExceedsDeposit },
        { "channel id short", VoucherJson().Replace(ChannelHex, ChannelHex[..^2], StringComparison.Ordinal), VoucherRejectCode.MalformedFrame },
        { "channel id no prefix", VoucherJson().Replace(ChannelHex, "11" + ChannelHex[2..], StringComparison.Ordinal), VoucherRejectCode.MalformedFrame },
        { "channel id not hex", VoucherJson().Replace(ChannelHex, ChannelHex[..^1] + "g", StringComparison.Ordinal), VoucherRejectCode.MalformedFrame },
        { "signature 64 bytes", VoucherJson(signature: SignatureHex[..^2]), VoucherRejectCode.MalformedFrame },
        { "signature v 29", VoucherJson(signature: SignatureHex[..^2] + "1d"), VoucherRejectCode.MalformedSignature },
        { "signature s top bit", VoucherJson(signature: "0x" + new string('2', 64) + "8" + new string('3', 63) + "1b"), VoucherRejectCode.MalformedSignature },
        { "hello version 2", $$"""{"type":"hello","version":2,"chainId":1,"contract":"{{Contract}}"}""", VoucherRejectCode.MalformedFrame },
        { "hello chain id string", $$"""{"type":"hello","version":1,"chainId":"1","contract":"{{Contract}}"}""", VoucherRejectCode.MalformedFrame },
        { "hello chain id fraction", $$"""{"type":"hello","version":1,"chainId":1.5,"contract":"{{Contract}}"}""", VoucherRejectCode.MalformedFrame },
        { "hello chain id huge", $$"""{"type":"hello","version":1,"chainId":1{{new string('0', 300)}},"contract":"{{Contract}}"}""", VoucherRejectCode.MalformedFrame },
        { "hello chain id negative", $$"""{"type":"hello","version":1,"chainId":-1,"contract":"{{Contract}}"}""", VoucherRejectCode.MalformedFrame },
        { "hello bad checksum", """{"type":"hello","version":1,"chainId":1,"contract":"0x5FBDB2315678afecb367f032d93F642f64180aa3"}""", VoucherRejectCode.MalformedFrame },
        { "helloAck u16 overflow", $$"""{"type":"helloAck","version":1,"payee":"{{Contract}}","receiptEveryVouchers":65536,"receiptEverySeconds":1,"maxVouchersInFlight":1}""", VoucherRejectCode.MalformedFrame },
        { "ack accepted with code", $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"accepted","rejectCode":"stale","submittedAmount":"1","storedAmount":"1"}""", VoucherRejectCode.MalformedFrame },
        { "ack rejected without code", $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"rejected","submittedAmount":"1","storedAmount":"1"}""", VoucherRejectCode.MalformedFrame },
        { "ack unknown outcome", $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"maybe","submittedAmount":"1","storedAmount":"1"}""", VoucherRejectCode.MalformedFrame },
        { "ack code PascalCase", $$"""{"type":"ack","channelId":"{{ChannelHex}}","outcome":"rejected","rejectCode":"Stale","submittedAmount":"1","storedAmount":"1"}""", VoucherRejectCode.MalformedFrame },
        { "receipt v 1", $$"""{"type":"receipt","channelId":"{{ChannelHex}}","cumulativeAmount":"5","issuedAt":1,"signature":"{{SignatureHex[..^2]}}01"}""", VoucherRejectCode.MalformedFrame },
        { "error code 0", """{"type":"error","code":0}""", VoucherRejectCode.MalformedFrame },
        { "error code 256", """{"type":"error","code":256}""", VoucherRejectCode.MalformedFrame },
        { "error code null", """{"type":"error","code":null}""", VoucherRejectCode.MalformedFrame },
        { "lone surrogate escape", VoucherJson()[..^1] + ",\"\\ud800\":1}", VoucherRejectCode.MalformedFrame },
        { "over 4 KiB", VoucherJson()[..^1] + ",\"pad\":\"" + new string(' ', 4_096) + "\"}", VoucherRejectCode.OversizedFrame },
    };

    [Theory]
    [MemberData(nameof(RefusedDocuments))]
    public void TryDecode_RefusedDocument_GivesExactCode(string name, string json, VoucherRejectCode expected)
    {
        PayeeJsonCodec.TryDecode(json, out var frame, out var error).ShouldBeFalse(name);
        frame.ShouldBeNull();
        error.ShouldBe(expected, name);

        PayeeJsonCodec.TryDecode(Encoding.UTF8.GetBytes(json), out _, out var utf8Error).ShouldBeFalse(name);
        utf8Error.ShouldBe(expected, name);
    }

    [Fact]
    public void TryDecode_InvalidUtf8_IsMalformed()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"type\":\"error\",\"code\":\"wrong"), 0xC3, 0x28, .. "Chain\"}"u8];

        PayeeJsonCodec.TryDecode(bytes, out _, out var error).ShouldBeFalse();
        error.ShouldBe(VoucherRejectCode.MalformedFrame);
    }

    [Fact]
    public void TryDecode_ErrorWithNumericCode_CarriesIt()
    {
        PayeeJsonCodec.TryDecode("""{"type":"error","code":200}""", out var frame, out _).ShouldBeTrue();
        PayeeJsonCodec.TryDecode("""{"type":"error","code":3}""", out var known, out _).ShouldBeTrue();

        frame.ShouldBe(new ErrorFrame((VoucherRejectCode)200));
        known.ShouldBe(new ErrorFrame(VoucherRejectCode.WrongChain));
    }

    [Fact]
    public void Encode_FrameTheBinaryFormCannotCarry_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => PayeeJsonCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, null, PayeeFrames.MaxAmount + 1, 0)));
        Should.Throw<ArgumentException>(() => PayeeJsonCodec.Encode(new ErrorFrame(0)));
    }
}

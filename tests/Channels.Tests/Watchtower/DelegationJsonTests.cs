using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>The <c>POST /delegations</c> body: what it decodes to, and a named error (never an exception) for every bad input.</summary>
public sealed class DelegationJsonTests
{
    private static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private static readonly ChannelParameters Channel = new(
        Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
        Address.Parse("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"),
        3600,
        42);

    // r = 1..32, s = 33..64 (below n/2), v = 28.
    private static readonly byte[] Signature = [.. Enumerable.Range(1, 64).Select(i => (byte)i), 28];

    private static byte[] Body() =>
        DelegationJson.Encode(31337, Contract, Channel, new VoucherFrame(Channel.Id, BigInteger.Parse("123456789012345678901234", System.Globalization.CultureInfo.InvariantCulture), Signature));

    private static byte[] Edit(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(Body())!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static string ErrorOf(byte[] body)
    {
        DelegationJson.TryDecode(body, out var request, out var error).ShouldBeFalse();
        request.ShouldBeNull();
        return error;
    }

    [Fact]
    public void Encode_ThenDecode_EveryFieldBack()
    {
        DelegationJson.TryDecode(Body(), out var request, out var error).ShouldBeTrue(error);

        error.ShouldBe("");
        request!.ChainId.ShouldBe(31337UL);
        request.Contract.ShouldBe(Contract);
        request.Channel.ShouldBe(Channel);
        request.ChannelId.ShouldBe(Channel.Id);
        request.CumulativeAmount.ShouldBe(BigInteger.Parse("123456789012345678901234", System.Globalization.CultureInfo.InvariantCulture));
        request.Signature.ToArray().ShouldBe(Signature);
    }

    [Fact]
    public void Encode_FieldNamesAndValuesAsDocumented()
    {
        var node = JsonNode.Parse(Body())!.AsObject();

        node["chainId"]!.GetValue<ulong>().ShouldBe(31337UL);
        node["contract"]!.GetValue<string>().ShouldBe(Contract.ToString());
        node["channel"]!["payer"]!.GetValue<string>().ShouldBe(Channel.Payer.ToString());
        node["channel"]!["payee"]!.GetValue<string>().ShouldBe(Channel.Payee.ToString());
        node["channel"]!["token"]!.GetValue<string>().ShouldBe(Channel.Token.ToString());
        node["channel"]!["challengePeriod"]!.GetValue<uint>().ShouldBe(3600U);
        node["channel"]!["nonce"]!.GetValue<ulong>().ShouldBe(42UL);
        node["voucher"]!["type"]!.GetValue<string>().ShouldBe("voucher");
        node["voucher"]!["cumulativeAmount"]!.GetValue<string>().ShouldBe("123456789012345678901234");
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "[]", "The body is not a JSON object." },
        { "\"x\"", "The body is not a JSON object." },
        { "{", "The body is not valid JSON." },
        { "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", "The body is not valid JSON." }, // deeper than 4
        { "{}", "'chainId' is missing or not an unsigned integer." },
        { "{\"chainId\":-1}", "'chainId' is missing or not an unsigned integer." },
        { "{\"chainId\":\"1\"}", "'chainId' is missing or not an unsigned integer." },
        { "{\"chainId\":1.5}", "'chainId' is missing or not an unsigned integer." },
        { "{\"chainId\":1}", "'contract' is missing or not an address." },
        { "{\"chainId\":1,\"contract\":\"0x12\"}", "'contract' is missing or not an address." },
        { "{\"chainId\":1,\"contract\":5}", "'contract' is missing or not an address." },
        { "{\"chainId\":1,\"contract\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\"}", "'channel' is missing or not an object." },
        { "{\"chainId\":1,\"contract\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\",\"channel\":[]}", "'channel' is missing or not an object." },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void TryDecode_BadTopLevel_NamedError(string body, string expected) => ErrorOf(Encoding.UTF8.GetBytes(body)).ShouldBe(expected);

    [Theory]
    [InlineData("payer")]
    [InlineData("payee")]
    [InlineData("token")]
    public void TryDecode_ChannelAddressMissingOrBad_NamedError(string field)
    {
        ErrorOf(Edit(n => n["channel"]!.AsObject().Remove(field))).ShouldBe($"'{field}' is missing or not an address.");
        ErrorOf(Edit(n => n["channel"]![field] = "0xnothex")).ShouldBe($"'{field}' is missing or not an address.");
    }

    [Fact]
    public void TryDecode_ChallengePeriodOrNonceOutOfRange_NamedError()
    {
        ErrorOf(Edit(n => n["channel"]!.AsObject().Remove("challengePeriod"))).ShouldBe("'channel.challengePeriod' is missing or not a uint32.");
        ErrorOf(Edit(n => n["channel"]!["challengePeriod"] = 4_294_967_296L)).ShouldBe("'channel.challengePeriod' is missing or not a uint32.");
        ErrorOf(Edit(n => n["channel"]!["challengePeriod"] = -1)).ShouldBe("'channel.challengePeriod' is missing or not a uint32.");
        ErrorOf(Edit(n => n["channel"]!["challengePeriod"] = "3600")).ShouldBe("'channel.challengePeriod' is missing or not a uint32.");
        ErrorOf(Edit(n => n["channel"]!.AsObject().Remove("nonce"))).ShouldBe("'channel.nonce' is missing or not a uint64.");
        ErrorOf(Edit(n => n["channel"]!["nonce"] = "1")).ShouldBe("'channel.nonce' is missing or not a uint64.");
        ErrorOf(Edit(n => n["channel"]!["nonce"] = -1)).ShouldBe("'channel.nonce' is missing or not a uint64.");
    }

    [Fact]
    public void TryDecode_LargestUInt32PeriodAndUInt64Nonce_Accepted()
    {
        var body = Edit(n =>
        {
            n["channel"]!["challengePeriod"] = uint.MaxValue;
            n["channel"]!["nonce"] = ulong.MaxValue;
        });

        DelegationJson.TryDecode(body, out var request, out var error).ShouldBeTrue(error);
        request!.Channel.ChallengePeriodSeconds.ShouldBe(uint.MaxValue);
        request.Channel.Nonce.ShouldBe(ulong.MaxValue);
    }

    [Fact]
    public void TryDecode_VoucherMissingOrNotAVoucherFrame_NamedError()
    {
        ErrorOf(Edit(n => n.Remove("voucher"))).ShouldBe("'voucher' is missing or not an object.");
        ErrorOf(Edit(n => n["voucher"] = "x")).ShouldBe("'voucher' is missing or not an object.");
        ErrorOf(Edit(n => n["voucher"]!["type"] = "receiptRequest")).ShouldStartWith("'voucher' is not a JSON VOUCHER frame (");
        ErrorOf(Edit(n => n["voucher"]!["signature"] = "0x1234")).ShouldStartWith("'voucher' is not a JSON VOUCHER frame (");
        ErrorOf(Edit(n => n["voucher"]!["cumulativeAmount"] = "-1")).ShouldStartWith("'voucher' is not a JSON VOUCHER frame (");
    }

    [Fact]
    public void TryDecode_LengthLimit_AtTheLimitDecoded_OneAboveRefused()
    {
        var body = Body();
        var padded = new byte[DelegationJson.MaxLength];
        padded.AsSpan().Fill((byte)' ');
        body.CopyTo(padded, 0);

        DelegationJson.TryDecode(padded, out _, out var error).ShouldBeTrue(error);

        var tooLong = new byte[DelegationJson.MaxLength + 1];
        tooLong.AsSpan().Fill((byte)' ');
        body.CopyTo(tooLong, 0);
        ErrorOf(tooLong).ShouldBe($"The body is longer than {DelegationJson.MaxLength} bytes.");
    }

    [Fact]
    public void TryDecode_NotUtf8_NamedError()
    {
        var body = Body();
        var bad = new byte[body.Length + 3];
        body.AsSpan(0, body.Length - 1).CopyTo(bad);
        bad[body.Length - 1] = (byte)',';
        bad[body.Length] = 0xC3;   // a lone lead byte where a property name belongs
        bad[body.Length + 1] = (byte)'}';

        ErrorOf(bad[..(body.Length + 2)]).ShouldBe("The body is not UTF-8.");
    }

    public static TheoryData<string, string> InvalidUtf8InsideStrings => new()
    {
        // Each needle gets a lone lead byte 0xC3 followed by '(' inside a JSON string: valid JSON to the parser, which
        // throws InvalidOperationException only when the string is read (the contract, the voucher's raw text), or
        // never reads it (a property name, an unknown member).
        { "contract value", "\"contract\":\"" },
        { "voucher type", "\"type\":\"" },
        { "voucher amount", "\"cumulativeAmount\":\"" },
        { "property name", "{\"" },
        { "unknown member", "\"channel\":{" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8InsideStrings))]
    public void TryDecode_InvalidUtf8InsideAString_NotUtf8NotAnException(string where, string needle)
    {
        var text = Encoding.UTF8.GetString(Body());
        var at = text.IndexOf(needle, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, where);
        var prefix = Encoding.UTF8.GetBytes(text[..(at + needle.Length)]);
        var rest = Encoding.UTF8.GetBytes(text[(at + needle.Length)..]);
        byte[] inserted = where == "unknown member" ? [.. "\"x\":\""u8, 0xC3, (byte)'(', .. "\","u8] : [0xC3, (byte)'('];
        byte[] body = [.. prefix, .. inserted, .. rest];

        ErrorOf(body).ShouldBe("The body is not UTF-8.", where);
    }

}

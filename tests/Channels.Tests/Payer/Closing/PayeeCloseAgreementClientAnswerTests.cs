using System.Net;
using System.Numerics;
using System.Text;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payer.Closing;

/// <summary>
/// <see cref="PayeeCloseAgreementClient"/> reading a scripted payee's answers: the exact agreement, refusal reason,
/// close-request time or refund it gives for each well-formed answer, and the malformed-answer refusal (or null) for
/// every answer that is not one, at the length limit and at the uint256 amount edges.
/// </summary>
public sealed class PayeeCloseAgreementClientAnswerTests
{
    private const int MaxAnswerLength = 16 * 1024;
    private const string Deadline = "1900000000";
    private static readonly ChannelId Channel = ChannelId.FromBytes([.. Enumerable.Repeat((byte)0xcc, 32)]);
    private static readonly ChannelId OtherChannel = ChannelId.FromBytes([.. Enumerable.Repeat((byte)0xdd, 32)]);
    private static readonly ChannelKey Key = new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), Channel);
    private static readonly string SignatureHex = "0x" + new string('2', 64) + new string('3', 64) + "1c";
    private static readonly EcdsaSignature Signature = EcdsaSignature.ParseRsv(Convert.FromHexString(SignatureHex[2..]));
    private static readonly string MaxUint256 = ((BigInteger.One << 256) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Agreement(string toPayee = "\"400\"", string toPayer = "\"600\"", string? channel = null) =>
        $$"""{"channelId":"{{channel ?? Channel.ToString()}}","payerToPayee":{{toPayee}},"payeeToPayer":{{toPayer}},"deadline":{{Deadline}},"signature":"{{SignatureHex}}"}""";

    private static PayeeAgreedClose Agreed(BigInteger toPayee, BigInteger toPayer) =>
        new(new CooperativeCloseState(Channel, toPayee, toPayer, ulong.Parse(Deadline, System.Globalization.CultureInfo.InvariantCulture)), Signature);

    // Pads a JSON answer with trailing spaces to exactly `length` bytes.
    private static byte[] PaddedTo(string answer, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(answer);
        return [.. bytes, .. Enumerable.Repeat((byte)' ', length - bytes.Length)];
    }

    [Fact]
    public void Constructor_NullHttpClient_ThrowsNamingIt()
    {
        Should.Throw<ArgumentNullException>(() => new PayeeCloseAgreementClient(null!)).ParamName.ShouldBe("http");
    }

    [Fact]
    public async Task RequestAsync_WellFormedAgreement_TheExactAgreement()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, Agreement());

        var result = await payee.Client().RequestAsync(Key);

        result.ShouldBe(Agreed(400, 600));
        payee.Requests.ShouldBe([$"POST /v1/channels/31337/{Key.Contract}/{Channel}/close-agreement"]);
    }

    [Fact]
    public async Task RequestAsync_AgreementOfExactlyTheLimit_Agreed_OneByteMore_Malformed()
    {
        using (var atLimit = new ScriptedClosePayee(HttpStatusCode.OK, PaddedTo(Agreement(), MaxAnswerLength)))
        {
            (await atLimit.Client().RequestAsync(Key)).ShouldBe(Agreed(400, 600));
        }

        using var overLimit = new ScriptedClosePayee(HttpStatusCode.OK, PaddedTo(Agreement(), MaxAnswerLength + 1));
        (await overLimit.Client().RequestAsync(Key)).ShouldBe(new PayeeRefusedClose(200, PayeeRefusedClose.MalformedAnswer));
    }

    [Fact]
    public async Task RequestAsync_RefusalWithAStringReason_ThatReason()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.Conflict, """{"reason":"notIdle"}""");

        (await payee.Client().RequestAsync(Key)).ShouldBe(new PayeeRefusedClose(409, "notIdle"));
    }

    [Theory]
    [InlineData("""["notIdle"]""")]
    [InlineData("""{"reason":5}""")]
    [InlineData("""{"why":"notIdle"}""")]
    public async Task RequestAsync_RefusalWithoutAStringReason_Malformed(string answer)
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.Conflict, answer);

        (await payee.Client().RequestAsync(Key)).ShouldBe(new PayeeRefusedClose(409, PayeeRefusedClose.MalformedAnswer));
    }

    public static TheoryData<string, string> MalformedAgreements => new()
    {
        { $$"""{"channelId":5,"payerToPayee":"400","payeeToPayer":"600","deadline":{{Deadline}},"signature":"{{SignatureHex}}"}""", "channelId not a string" },
        { $$"""{"payerToPayee":"400","payeeToPayer":"600","deadline":{{Deadline}},"signature":"{{SignatureHex}}"}""", "channelId missing" },
        { Agreement(channel: OtherChannel.ToString()), "another channel" },
        { Agreement(toPayee: "\"\""), "empty amount" },
        { Agreement(toPayer: "\"\""), "empty refund amount" },
        { Agreement(toPayee: "400"), "amount not a string" },
        { Agreement(toPayee: "\"" + new string('0', 76) + "400\""), "79 digits (leading zeros)" },
        { Agreement(toPayee: "\"" + (BigInteger.One << 256).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\""), "2^256" },
        { Agreement(toPayee: "\"-1\""), "negative" },
        { "[1]", "root not an object" },
    };

    [Theory]
    [MemberData(nameof(MalformedAgreements))]
    public async Task RequestAsync_MalformedAgreement_MalformedRefusal(string answer, string why)
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, answer);

        (await payee.Client().RequestAsync(Key)).ShouldBe(new PayeeRefusedClose(200, PayeeRefusedClose.MalformedAnswer), why);
    }

    [Fact]
    public async Task RequestAsync_AmountsAtTheUint256Edges_Agreed()
    {
        // 78 digits: the longest amount, here with leading zeros, and 2^256-1 itself.
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, Agreement(toPayee: "\"" + new string('0', 75) + "400\"", toPayer: "\"" + MaxUint256 + "\""));

        MaxUint256.Length.ShouldBe(78);
        (await payee.Client().RequestAsync(Key)).ShouldBe(Agreed(400, (BigInteger.One << 256) - 1));
    }

    private static string CloseRequest(ChannelId channel) => $$"""{"channelId":"{{channel}}","requestedAt":"2026-12-03T06:00:00+00:00"}""";

    [Fact]
    public async Task GetCloseRequestAsync_ExactlyTheLimit_TheTime_OneByteMore_Null()
    {
        using (var atLimit = new ScriptedClosePayee(HttpStatusCode.OK, PaddedTo(CloseRequest(Channel), MaxAnswerLength)))
        {
            (await atLimit.Client().GetCloseRequestAsync(Key)).ShouldBe(new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero));
        }

        using var overLimit = new ScriptedClosePayee(HttpStatusCode.OK, PaddedTo(CloseRequest(Channel), MaxAnswerLength + 1));
        (await overLimit.Client().GetCloseRequestAsync(Key)).ShouldBeNull();
    }

    [Fact]
    public async Task GetCloseRequestAsync_WellFormedRequestOnAnErrorStatus_Null()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.NotFound, CloseRequest(Channel));

        (await payee.Client().GetCloseRequestAsync(Key)).ShouldBeNull();
        payee.Requests.ShouldBe([$"GET /v1/channels/31337/{Key.Contract}/{Channel}/close-request"]);
    }

    private static string Refund(ChannelId channel) =>
        $$"""{"type":"refund","channelId":"{{channel}}","cumulativeAmount":"45","signature":"{{SignatureHex}}"}""";

    [Fact]
    public async Task GetRefundAsync_RefundOfThisChannel_TheVoucher()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, Refund(Channel));

        var refund = await payee.Client().GetRefundAsync(Key);

        refund.ShouldBe(new SignedVoucher(new Voucher(Channel, 45), Signature));
        payee.Requests.ShouldBe([$"GET /v1/channels/31337/{Key.Contract}/{Channel}/refund"]);
    }

    [Fact]
    public async Task GetRefundAsync_RefundOnAnErrorStatus_Null()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.NotFound, Refund(Channel));

        (await payee.Client().GetRefundAsync(Key)).ShouldBeNull();
    }

    [Fact]
    public async Task GetRefundAsync_RefundNamingAnotherChannel_Null()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, Refund(OtherChannel));

        (await payee.Client().GetRefundAsync(Key)).ShouldBeNull();
    }

    [Fact]
    public async Task GetRefundAsync_OverTheLimit_Null()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, PaddedTo(Refund(Channel), MaxAnswerLength + 1));

        (await payee.Client().GetRefundAsync(Key)).ShouldBeNull();
    }
}

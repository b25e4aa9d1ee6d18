using System.Net;
using System.Text;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Closing;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer.Closing;

/// <summary>
/// <see cref="PayeeCloseAgreementClient"/> against a payee answering bytes that are not UTF-8 inside a JSON string:
/// System.Text.Json parses them and throws InvalidOperationException only when the string is read, so the client checks
/// the answer first and gives its documented outcome (a malformed-answer refusal, no close request), never an exception.
/// </summary>
public sealed class PayeeCloseAgreementClientTests
{
    private static readonly ChannelId Channel = ChannelId.FromBytes([.. Enumerable.Repeat((byte)0xcc, 32)]);
    private static readonly ChannelKey Key = new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), Channel);

    public static TheoryData<int, string, string> InvalidUtf8Answers => new()
    {
        // The refusal's reason (read with GetString) and a field of an otherwise well-shaped agreement.
        { 409, """{"reason":"Not?Idle"}""", "refusal reason" },
        { 200, $$"""{"channelId":"?{{Channel}}","payerToPayee":"400","payeeToPayer":"600","deadline":1900000000,"signature":"0x00"}""", "agreement channelId" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Answers))]
    public async Task RequestAsync_InvalidUtf8InsideAString_MalformedAnswerNotAnException(int status, string answer, string where)
    {
        using var payee = new ScriptedClosePayee((HttpStatusCode)status, WithInvalidUtf8(answer));

        var result = await payee.Client().RequestAsync(Key);

        result.ShouldBe(new PayeeRefusedClose(status, PayeeRefusedClose.MalformedAnswer), where);
        payee.Requests.ShouldBe([$"POST /v1/channels/31337/{Key.Contract}/{Channel}/close-agreement"]);
    }

    [Fact]
    public async Task GetCloseRequestAsync_InvalidUtf8InsideTheChannelId_NoRequestNotAnException()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, WithInvalidUtf8($$"""{"channelId":"?{{Channel}}","requestedAt":"2026-12-03T06:00:00+00:00"}"""));

        var result = await payee.Client().GetCloseRequestAsync(Key);

        result.ShouldBeNull();
        payee.Requests.ShouldBe([$"GET /v1/channels/31337/{Key.Contract}/{Channel}/close-request"]);
    }

    [Fact]
    public async Task GetCloseRequestAsync_SameAnswerInUtf8_TheRequestTime()
    {
        using var payee = new ScriptedClosePayee(HttpStatusCode.OK, Encoding.UTF8.GetBytes($$"""{"channelId":"{{Channel}}","requestedAt":"2026-12-03T06:00:00+00:00"}"""));

        var result = await payee.Client().GetCloseRequestAsync(Key);

        result.ShouldBe(new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero));
    }

    // The '?' marks where the invalid sequence 0xC3 0x28 (a lead byte then '(') goes.
    private static byte[] WithInvalidUtf8(string answer)
    {
        var at = answer.IndexOf('?', StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(answer[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(answer[(at + 1)..])];
    }
}

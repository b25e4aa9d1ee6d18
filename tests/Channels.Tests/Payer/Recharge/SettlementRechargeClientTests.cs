using System.Net;
using System.Text;
using Settlement.Channels.Payer.Recharge;

namespace Settlement.Channels.Tests.Payer.Recharge;

/// <summary>
/// <see cref="SettlementRechargeClient"/> and <see cref="LowBalanceRecharger"/>: the arguments they refuse (naming the
/// argument, asking nothing of the service), the request's content type, and the exact answer read from the service's
/// replies at the length limit and with the detail taken from "detail" before "problem".
/// </summary>
public sealed class SettlementRechargeClientTests
{
    private const int MaxAnswerLength = 16 * 1024;
    private static readonly Guid FlowId = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");

    private static byte[] PaddedTo(string answer, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(answer);
        return [.. bytes, .. Enumerable.Repeat((byte)' ', length - bytes.Length)];
    }

    [Fact]
    public void Constructor_NullHttpClient_ThrowsNamingIt()
    {
        Should.Throw<ArgumentNullException>(() => new SettlementRechargeClient(null!)).ParamName.ShouldBe("http");
    }

    [Theory]
    [InlineData("", "k", "consentId")]
    [InlineData("vrp-1", "", "idempotencyKey")]
    public async Task RequestAsync_EmptyConsentOrKey_ThrowsNamingItAndAsksNothing(string consentId, string key, string param)
    {
        using var service = new ScriptedSettlementService(HttpStatusCode.Accepted, $$"""{"id":"{{FlowId}}","state":"Funded"}""");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };

        var thrown = await Should.ThrowAsync<ArgumentException>(() => new SettlementRechargeClient(http).RequestAsync(consentId, key, 100));

        thrown.ParamName.ShouldBe(param);
        service.ContentTypes.ShouldBeEmpty();
    }

    [Fact]
    public async Task RequestAsync_SendsJsonInUtf8()
    {
        using var service = new ScriptedSettlementService(HttpStatusCode.Accepted, $$"""{"id":"{{FlowId}}","state":"Funded"}""");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };

        await new SettlementRechargeClient(http).RequestAsync("vrp-1", "k", 100);

        service.ContentTypes.ShouldBe(["application/json; charset=utf-8"]);
    }

    [Fact]
    public async Task RequestAsync_AnswerOfExactlyTheLimit_Read_OneByteMore_TooLong()
    {
        var answer = $$"""{"id":"{{FlowId}}","state":"Funded"}""";
        using (var atLimit = new ScriptedSettlementService(HttpStatusCode.Accepted, PaddedTo(answer, MaxAnswerLength)))
        using (var http = new HttpClient(atLimit) { BaseAddress = new Uri("http://127.0.0.1/") })
        {
            (await new SettlementRechargeClient(http).RequestAsync("vrp-1", "k", 100)).ShouldBe(new RechargeAnswer(true, 202, FlowId, "Funded", null, null));
        }

        using var overLimit = new ScriptedSettlementService(HttpStatusCode.Accepted, PaddedTo(answer, MaxAnswerLength + 1));
        using var http2 = new HttpClient(overLimit) { BaseAddress = new Uri("http://127.0.0.1/") };
        (await new SettlementRechargeClient(http2).RequestAsync("vrp-1", "k", 100))
            .ShouldBe(new RechargeAnswer(false, 202, null, null, RechargeAnswer.MalformedAnswer, "the answer is too long"));
    }

    [Theory]
    [InlineData(400, """{"refusal":"OverPeriodLimit","detail":"1001p is above the 1000p left"}""", false, "OverPeriodLimit", "1001p is above the 1000p left")]
    [InlineData(400, """{"refusal":"OverPeriodLimit","detail":"from detail","problem":"from problem"}""", false, "OverPeriodLimit", "from detail")]
    [InlineData(400, """{"refusal":5,"detail":7,"problem":"p: only problem is a string"}""", false, "http-400", "p: only problem is a string")]
    [InlineData(202, """{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","state":"Rejected","problem":"sweep-consent-revoked: revoked"}""", true, "sweep-consent-revoked", "sweep-consent-revoked: revoked")]
    [InlineData(202, """{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","state":7}""", false, RechargeAnswer.MalformedAnswer, null)]
    public async Task RequestAsync_Answers_RefusalAndDetailExactly(int status, string answer, bool accepted, string refusal, string? detail)
    {
        using var service = new ScriptedSettlementService((HttpStatusCode)status, answer);
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };

        var result = await new SettlementRechargeClient(http).RequestAsync("vrp-1", "k", 100);

        result.Accepted.ShouldBe(accepted);
        result.HttpStatus.ShouldBe(status);
        result.Refusal.ShouldBe(refusal);
        result.Detail.ShouldBe(detail);
    }

    [Fact]
    public async Task Recharger_InvalidArguments_ThrowNamingThem()
    {
        using var w = new PayerWorld(100);
        await using var payer = w.NewClient();
        var channel = await w.ChannelAsync(payer);
        using var service = new ScriptedSettlementService(HttpStatusCode.Accepted, "{}");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };
        var client = new SettlementRechargeClient(http);

        Should.Throw<ArgumentNullException>(() => new LowBalanceRecharger(null!, client, "vrp-1", 100)).ParamName.ShouldBe("channel");
        Should.Throw<ArgumentNullException>(() => new LowBalanceRecharger(channel, null!, "vrp-1", 100)).ParamName.ShouldBe("client");
        Should.Throw<ArgumentNullException>(() => new LowBalanceRecharger(channel, client, null!, 100)).ParamName.ShouldBe("consentId");
        Should.Throw<ArgumentException>(() => new LowBalanceRecharger(channel, client, "", 100)).ParamName.ShouldBe("consentId");
        Should.Throw<ArgumentOutOfRangeException>(() => new LowBalanceRecharger(channel, client, "vrp-1", 0)).ParamName.ShouldBe("amountPence");
    }

    [Fact]
    public async Task Recharger_NullCrossing_ThrowsNamingItAndAsksNothing()
    {
        using var w = new PayerWorld(100);
        await using var payer = w.NewClient();
        var channel = await w.ChannelAsync(payer);
        using var service = new ScriptedSettlementService(HttpStatusCode.Accepted, $$"""{"id":"{{FlowId}}","state":"Funded"}""");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };
        var recharger = new LowBalanceRecharger(channel, new SettlementRechargeClient(http), "vrp-1", 100);

        (await Should.ThrowAsync<ArgumentNullException>(() => recharger.OnLowBalanceAsync(null!, default))).ParamName.ShouldBe("low");
        service.ContentTypes.ShouldBeEmpty();
        recharger.LastAnswer.ShouldBeNull();
    }
}

using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Payer.Recharge;

namespace Settlement.Channels.Tests.Payer.Recharge;

public sealed class LowBalanceRechargerTests
{
    private static readonly Guid FlowId = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");

    [Fact]
    public async Task Meter_CrossesTheThreshold_ExactlyOneRechargeRequestWithTheCrossingsKey()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var service = new ScriptedSettlementService(HttpStatusCode.Accepted, $$"""{"id":"{{FlowId}}","kind":"Recharge","state":"Funded"}""");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };
        var answers = new List<RechargeAnswer>();
        var recharger = new LowBalanceRecharger(channel, new SettlementRechargeClient(http), "vrp-1", 2_500, (a, _) =>
        {
            answers.Add(a);
            return Task.CompletedTask;
        });
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(30), LowBalanceThreshold = 50, OnLowBalance = recharger.OnLowBalanceAsync });

        await meter.RecordAsync(1);
        service.Requests.ShouldBeEmpty();
        await meter.RecordAsync(1); // remaining 40 < 50: the crossing
        await meter.RecordAsync(1);
        await meter.RecordAsync(1); // paused: still the same crossing

        var request = service.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/flows/recharges");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("consentId").GetString().ShouldBe("vrp-1");
        body.RootElement.GetProperty("amountPence").GetInt64().ShouldBe(2_500);
        body.RootElement.GetProperty("idempotencyKey").GetString().ShouldBe(LowBalanceRecharger.IdempotencyKey(w.Key, 100));
        body.RootElement.GetProperty("channelId").GetString().ShouldBe(w.Key.ChannelId.ToString());
        answers.ShouldHaveSingleItem().ShouldBe(new RechargeAnswer(true, 202, FlowId, "Funded", null, null));
        recharger.LastAnswer.ShouldBe(answers[0]);
    }

    [Fact]
    public async Task OnLowBalance_CalledAgainForTheSameCrossing_TheSameKey()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var service = new ScriptedSettlementService(HttpStatusCode.OK, $$"""{"id":"{{FlowId}}","state":"AwaitingBank"}""");
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };
        var low = new LowBalance(w.Key, 40, 50);

        // A restart: a new recharger on the same channel hears the same crossing again.
        await new LowBalanceRecharger(channel, new SettlementRechargeClient(http), "vrp-1", 2_500).OnLowBalanceAsync(low, default);
        await new LowBalanceRecharger(channel, new SettlementRechargeClient(http), "vrp-1", 2_500).OnLowBalanceAsync(low, default);

        service.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("idempotencyKey").GetString()).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public void IdempotencyKey_OtherDepositOrChannel_OtherKey()
    {
        using var w = new PayerWorld(100);
        var other = w.Key with { ChainId = 1 };

        LowBalanceRecharger.IdempotencyKey(w.Key, 100).ShouldBe(LowBalanceRecharger.IdempotencyKey(w.Key, 100));
        new[] { LowBalanceRecharger.IdempotencyKey(w.Key, 100), LowBalanceRecharger.IdempotencyKey(w.Key, 2_600), LowBalanceRecharger.IdempotencyKey(other, 100) }
            .Distinct().Count().ShouldBe(3);
        LowBalanceRecharger.IdempotencyKey(w.Key, new BigInteger(100)).Length.ShouldBeLessThanOrEqualTo(200); // the service's limit
    }

    [Theory]
    [InlineData(400, """{"refusal":"OverPeriodLimit","detail":"1001p is above the 1000p left"}""", false, "OverPeriodLimit")]
    [InlineData(404, """{"status":404,"title":"not found","detail":"recharges are not configured"}""", false, "http-404")]
    [InlineData(202, """{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","state":"Rejected","problem":"sweep-consent-revoked: revoked"}""", true, "sweep-consent-revoked")]
    [InlineData(202, """{"id":"not a guid","state":"Funded"}""", false, RechargeAnswer.MalformedAnswer)]
    [InlineData(202, "[1]", false, RechargeAnswer.MalformedAnswer)]
    [InlineData(500, "<html>", false, RechargeAnswer.MalformedAnswer)]
    public async Task Request_Answers_ParsedAsDataNeverThrown(int status, string answer, bool accepted, string? refusal)
    {
        using var service = new ScriptedSettlementService((HttpStatusCode)status, answer);
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };

        var result = await new SettlementRechargeClient(http).RequestAsync("vrp-1", "k", 100);

        result.Accepted.ShouldBe(accepted);
        result.HttpStatus.ShouldBe(status);
        result.Refusal.ShouldBe(refusal);
    }

    [Theory]
    [InlineData(202, """{"id":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","state":"Fund?ed"}""")]
    [InlineData(400, """{"refusal":"OverPeriod?Limit","detail":"1001p is above the 1000p left"}""")]
    [InlineData(400, """{"refusal":"OverPeriodLimit","detail":"1001p?"}""")]
    public async Task Request_InvalidUtf8InsideAString_MalformedAnswerNotAnException(int status, string answer)
    {
        // The '?' becomes 0xC3 0x28 (a lead byte then '('): System.Text.Json parses it and throws
        // InvalidOperationException only when the string is read.
        var at = answer.IndexOf('?', StringComparison.Ordinal);
        byte[] bytes = [.. Encoding.UTF8.GetBytes(answer[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(answer[(at + 1)..])];
        using var service = new ScriptedSettlementService((HttpStatusCode)status, bytes);
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://127.0.0.1/") };

        var result = await new SettlementRechargeClient(http).RequestAsync("vrp-1", "k", 100);

        result.ShouldBe(new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, "the answer is not UTF-8"));
        service.Requests.ShouldHaveSingleItem().Path.ShouldBe("/flows/recharges");
    }
}

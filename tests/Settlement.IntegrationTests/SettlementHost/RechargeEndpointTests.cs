using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.Payer.Recharge;
using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.SettlementService;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>
/// Sweeping consents and recharges over the host's HTTP API, with the real SQLite ledger, flow and consent store and
/// fakes for the sweeping bank, the chain and the confirmations.
/// </summary>
public sealed class RechargeEndpointTests : IAsyncLifetime
{
    private const string Consent = """
        {"consentId":"vrp-1","userId":"u1","bank":"sandbox","payerAddress":"0x1111111111111111111111111111111111111111",
         "payeeAddress":"0x2222222222222222222222222222222222222222","channelId":"0xcccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
         "maxPerPaymentPence":2000,"maxPerPeriodPence":3000,"periodType":"Month","periodAlignment":"Calendar","validFrom":"2020-01-01T00:00:00Z"}
        """;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-recharge-http-");
    private readonly HttpClient _http = new();
    private readonly FakeSweeps _sweeps = new();
    private readonly FakeChainActions _chain = new();
    private SettlementServiceHost? _host;

    private SettlementServiceHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _host = await SettlementServiceHost.StartAsync(
            new SettlementServiceOptions { Port = 0, Database = Path.Combine(_directory.FullName, "ledger.db"), IndexerEnabled = false },
            services =>
            {
                services.AddSingleton<IBankPayments>(new FakeBank());
                services.AddSingleton<IBankSweeps>(_sweeps);
                services.AddSingleton<IChainActions>(_chain);
                services.AddSingleton<IChainConfirmations>(new FakeConfirmations());
                services.AddSingleton<IMerchantBalances>(new FakeBalances());
                services.AddSettlementFlows(
                    f =>
                    {
                        f.IndexerStream = "test";
                        f.ResumeInterval = TimeSpan.FromMinutes(30);
                    },
                    p =>
                    {
                        p.Enabled = false;
                        p.ChainId = 31337;
                    });
            });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _http.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task SweepingConsent_Registered_Repeated_Conflicting_Invalid()
    {
        var created = await PostAsync("sweeping-consents", Consent);
        var repeat = await PostAsync("sweeping-consents", Consent);
        var other = await PostAsync("sweeping-consents", Consent.Replace("3000", "3001", StringComparison.Ordinal));
        var invalid = await PostAsync("sweeping-consents", Consent.Replace("\"vrp-1\"", "\"vrp-2\"", StringComparison.Ordinal).Replace("3000", "1999", StringComparison.Ordinal));
        var badType = await PostAsync("sweeping-consents", Consent.Replace("Month", "Decade", StringComparison.Ordinal));

        created.Status.ShouldBe(HttpStatusCode.Created);
        created.Json.GetProperty("outcome").GetString().ShouldBe("Registered");
        created.Json.GetProperty("maxPerPeriodPence").GetInt64().ShouldBe(3_000);
        repeat.Status.ShouldBe(HttpStatusCode.OK);
        other.Status.ShouldBe(HttpStatusCode.Conflict);
        other.Json.GetProperty("maxPerPeriodPence").GetInt64().ShouldBe(3_000);
        invalid.Status.ShouldBe(HttpStatusCode.BadRequest);
        invalid.Json.GetProperty("outcome").GetString().ShouldBe("Invalid");
        badType.Status.ShouldBe(HttpStatusCode.BadRequest);
        (await _http.GetAsync(new Uri(Host.BaseUrl, "sweeping-consents/vrp-2"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Recharge_Started_Repeated_OverTheLimit_AndReadBack()
    {
        await PostAsync("sweeping-consents", Consent);

        var started = await PostAsync("flows/recharges", """{"consentId":"vrp-1","idempotencyKey":"crossing-1","amountPence":2000}""");
        var repeat = await PostAsync("flows/recharges", """{"consentId":"vrp-1","idempotencyKey":"crossing-1","amountPence":2000}""");
        var over = await PostAsync("flows/recharges", """{"consentId":"vrp-1","idempotencyKey":"crossing-2","amountPence":1001}""");
        var malformed = await PostAsync("flows/recharges", """{"consentId":"vrp-1","amountPence":"5"}""");

        started.Status.ShouldBe(HttpStatusCode.Accepted);
        started.Json.GetProperty("kind").GetString().ShouldBe("Recharge");
        started.Json.GetProperty("state").GetString().ShouldBe("Funded");
        started.Json.GetProperty("consentId").GetString().ShouldBe("vrp-1");
        var id = started.Json.GetProperty("id").GetString();
        id.ShouldBe(FlowIds.Recharge("vrp-1", "crossing-1").ToString());
        repeat.Status.ShouldBe(HttpStatusCode.OK);
        repeat.Json.GetProperty("id").GetString().ShouldBe(id);
        over.Status.ShouldBe(HttpStatusCode.BadRequest);
        over.Json.GetProperty("refusal").GetString().ShouldBe(nameof(RechargeRefusal.OverPeriodLimit));
        malformed.Status.ShouldBe(HttpStatusCode.BadRequest);
        _sweeps.Sweeps.ShouldHaveSingleItem().Request.AmountPence.ShouldBe(2_000);
        _chain.Transactions.Count.ShouldBe(1);

        using var flow = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Host.BaseUrl, $"flows/{id}")));
        flow.RootElement.GetProperty("kind").GetString().ShouldBe("Recharge");
        flow.RootElement.GetProperty("history").GetArrayLength().ShouldBe(6);
        using var consent = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Host.BaseUrl, "sweeping-consents/vrp-1")));
        consent.RootElement.GetProperty("usedInPeriodPence").GetInt64().ShouldBe(2_000);
    }

    [Fact]
    public async Task ConsentAndRecharge_InvalidUtf8InsideAString_400Problem_NothingStoredNoSweep()
    {
        // 0xC3 0x28 inside a string value: JsonDocument parses it and throws InvalidOperationException only when the
        // string is read, which answered 500 before the body was checked for UTF-8.
        var consent = await PostBytesAsync("sweeping-consents", FlowEndpointTests.WithInvalidUtf8(Consent, "\"userId\":\""));
        var registered = await PostAsync("sweeping-consents", Consent);
        var recharge = await PostBytesAsync(
            "flows/recharges", FlowEndpointTests.WithInvalidUtf8("""{"consentId":"vrp-1","idempotencyKey":"crossing-1","amountPence":2000}""", "\"idempotencyKey\":\""));

        consent.Status.ShouldBe(HttpStatusCode.BadRequest);
        consent.MediaType.ShouldBe("application/problem+json");
        consent.Json.GetProperty("detail").GetString().ShouldBe("the body must be a JSON object of at most 16 KiB");
        registered.Json.GetProperty("outcome").GetString().ShouldBe("Registered");
        recharge.Status.ShouldBe(HttpStatusCode.BadRequest);
        recharge.MediaType.ShouldBe("application/problem+json");
        recharge.Json.GetProperty("detail").GetString().ShouldBe("required: consentId, idempotencyKey, amountPence (integer); optional channelId");
        _sweeps.Sweeps.ShouldBeEmpty();
        _chain.Transactions.ShouldBeEmpty();
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
        using var stored = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Host.BaseUrl, "sweeping-consents/vrp-1")));
        stored.RootElement.GetProperty("userId").GetString().ShouldBe("u1");
        stored.RootElement.GetProperty("usedInPeriodPence").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task PayerSdkClient_AgainstTheService_OneRechargePerKeyAndRefusalsByName()
    {
        await PostAsync("sweeping-consents", Consent);
        using var http = new HttpClient { BaseAddress = Host.BaseUrl };
        var client = new SettlementRechargeClient(http);

        var first = await client.RequestAsync("vrp-1", "low-balance/crossing-1", 1_500);
        var again = await client.RequestAsync("vrp-1", "low-balance/crossing-1", 1_500);
        var over = await client.RequestAsync("vrp-1", "low-balance/crossing-2", 1_501);
        var unknown = await client.RequestAsync("nope", "k", 1);

        first.ShouldBe(new RechargeAnswer(true, 202, FlowIds.Recharge("vrp-1", "low-balance/crossing-1"), "Funded", null, null));
        again.ShouldBe(first with { HttpStatus = 200 });
        over.Refusal.ShouldBe(nameof(RechargeRefusal.OverPeriodLimit));
        unknown.Refusal.ShouldBe(nameof(RechargeRefusal.ConsentUnknown));
        _sweeps.Sweeps.ShouldHaveSingleItem();
    }

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Json)> PostBytesAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(new Uri(Host.BaseUrl, path), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(Host.BaseUrl, path), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Service.Flows;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Reconciliation.Sources;
using Settlement.SettlementService;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>
/// The flows over the host's HTTP API, with the real SQLite ledger and flow store and fakes for the bank, the chain and
/// the confirmations: a top-up is started, repeated, refused; read back with its history; a payout batch runs; a bank
/// return is recorded; malformed bodies are refused and store nothing.
/// </summary>
public sealed class FlowEndpointTests : IAsyncLifetime
{
    private const string Payer = "0x1111111111111111111111111111111111111111";
    private const string Payee = "0x2222222222222222222222222222222222222222";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-flows-http-");
    private readonly HttpClient _http = new();
    private readonly FakeBank _bank = new();
    private readonly FakeChainActions _chain = new();
    private readonly FakeBalances _balances = new();
    private SettlementServiceHost? _host;

    private SettlementServiceHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _host = await SettlementServiceHost.StartAsync(
            new SettlementServiceOptions { Port = 0, Database = Path.Combine(_directory.FullName, "ledger.db"), IndexerEnabled = false },
            services =>
            {
                services.AddSingleton<IBankPayments>(_bank);
                services.AddSingleton<IChainActions>(_chain);
                services.AddSingleton<IChainConfirmations>(new FakeConfirmations());
                services.AddSingleton<IMerchantBalances>(_balances);
                services.AddSingleton<IBankOperationSource>(new FakeBankOperations(_bank));
                services.AddSettlementReconciliation(r => r.Stream = "test");
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
                        p.MinimumPence = 100;
                        p.Merchants.Add(new PayoutMerchant
                        {
                            Id = "m1", Address = "0x3333333333333333333333333333333333333333", Bank = "sandbox", AccountIdentification = "20000055555555", AccountName = "M",
                        });
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
    public async Task Topup_Started_ThenRepeated_ThenReadWithItsHistory()
    {
        var id = Guid.NewGuid();

        var created = await PostAsync("flows/topups", Topup(id, 1_500));
        var repeat = await PostAsync("flows/topups", Topup(id, 1_500));
        await Host.Services.GetRequiredService<SettlementFlows>().AdvanceAsync(id);
        var read = await _http.GetAsync(new Uri(Host.BaseUrl, $"flows/{id}"));

        created.Status.ShouldBe(HttpStatusCode.Accepted);
        created.Json.GetProperty("id").GetString().ShouldBe(id.ToString());
        created.Json.GetProperty("amountPence").GetInt64().ShouldBe(1_500);
        repeat.Status.ShouldBe(HttpStatusCode.OK);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        doc.RootElement.GetProperty("kind").GetString().ShouldBe("Topup");
        doc.RootElement.GetProperty("state").GetString().ShouldBe(nameof(TopupFlowState.Funded));
        doc.RootElement.GetProperty("fundingTransaction").GetString().ShouldNotBeNullOrEmpty();
        doc.RootElement.GetProperty("history").GetArrayLength().ShouldBeGreaterThan(3);
        _bank.Payments.Count.ShouldBe(1);
        _bank.Payments[0].AmountPence.ShouldBe(1_500);
    }

    [Fact]
    public async Task Topup_SameIdOtherAmount_RefusedByName_StoredFlowUnchanged()
    {
        var id = Guid.NewGuid();
        await PostAsync("flows/topups", Topup(id, 700));
        var before = await Host.Services.GetRequiredService<SettlementFlows>().GetAsync(id);

        var refused = await PostAsync("flows/topups", Topup(id, 701));

        refused.Status.ShouldBe(HttpStatusCode.BadRequest);
        refused.Json.GetProperty("refusal").GetString().ShouldBe(nameof(TopupRefusal.ExistsWithDifferentParameters));
        (await Host.Services.GetRequiredService<SettlementFlows>().GetAsync(id)).ShouldBe(before);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"flowId\":\"x\",\"userId\":\"u\",\"bank\":\"b\",\"amountPence\":5,\"payerAddress\":\"0x1\",\"payeeAddress\":\"0x2\"}")]
    [InlineData("{\"flowId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"userId\":\"u\",\"bank\":\"b\",\"amountPence\":\"5\",\"payerAddress\":\"0x1\",\"payeeAddress\":\"0x2\"}")]
    public async Task Topup_MalformedBody_400_NothingStored(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await _http.PostAsync(new Uri(Host.BaseUrl, "flows/topups"), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
        _bank.StartCalls.ShouldBe(0);
    }

    [Fact]
    public async Task Topup_InvalidUtf8InsideAString_400Problem_NothingStored()
    {
        // 0xC3 0x28 (a lead byte then '(') inside userId: JsonDocument parses it and throws InvalidOperationException only
        // when the string is read, which answered 500 before the body was checked for UTF-8.
        var response = await PostBytesAsync("flows/topups", WithInvalidUtf8(Topup(Guid.NewGuid(), 1_500), "\"userId\":\""));

        response.Status.ShouldBe(HttpStatusCode.BadRequest);
        response.MediaType.ShouldBe("application/problem+json");
        response.Json.GetProperty("detail").GetString().ShouldBe("the body must be a JSON object of at most 16 KiB");
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
        _bank.StartCalls.ShouldBe(0);
    }

    [Fact]
    public async Task BankReturn_InvalidUtf8InsideTheReason_400Problem_FlowUnchanged()
    {
        var id = Guid.NewGuid();
        await PostAsync("flows/topups", Topup(id, 900));
        await Host.Services.GetRequiredService<SettlementFlows>().AdvanceAsync(id);
        var before = await Host.Services.GetRequiredService<SettlementFlows>().GetAsync(id);

        var response = await PostBytesAsync($"flows/{id}/bank-return", WithInvalidUtf8("{\"reason\":\"AC04\"}", "\"reason\":\""));

        response.Status.ShouldBe(HttpStatusCode.BadRequest);
        response.MediaType.ShouldBe("application/problem+json");
        response.Json.GetProperty("detail").GetString().ShouldBe("the body must be {\"reason\": \"…\"} (1–200 characters)");
        (await Host.Services.GetRequiredService<SettlementFlows>().GetAsync(id)).ShouldBe(before);
    }

    [Fact]
    public async Task Topup_RefusedByTheFlows_400WithTheReason_NothingStored()
    {
        var refused = await PostAsync("flows/topups", Topup(Guid.NewGuid(), 0));

        refused.Status.ShouldBe(HttpStatusCode.BadRequest);
        refused.Json.GetProperty("refusal").GetString().ShouldBe(nameof(TopupRefusal.AmountNotPositive));
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Topup_OversizeBody_400_NothingStored()
    {
        using var content = new StringContent("{\"userId\":\"" + new string('x', 20_000) + "\"}", Encoding.UTF8, "application/json");

        var response = await _http.PostAsync(new Uri(Host.BaseUrl, "flows/topups"), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task UnknownFlow_404_AndABankReturnForIt_404()
    {
        var id = Guid.NewGuid();

        var read = await _http.GetAsync(new Uri(Host.BaseUrl, $"flows/{id}"));
        var returned = await PostAsync($"flows/{id}/bank-return", "{\"reason\":\"AC04\"}");

        read.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        returned.Status.ShouldBe(HttpStatusCode.NotFound);
        returned.Json.GetProperty("outcome").GetString().ShouldBe(nameof(BankReturnOutcome.NotFound));
    }

    [Fact]
    public async Task BankReturn_OfAFundedTopup_Recorded_ThenAlreadyRecorded_BadReason400()
    {
        var id = Guid.NewGuid();
        await PostAsync("flows/topups", Topup(id, 900));
        await Host.Services.GetRequiredService<SettlementFlows>().AdvanceAsync(id);

        var bad = await PostAsync($"flows/{id}/bank-return", "{\"reason\":\"\"}");
        var first = await PostAsync($"flows/{id}/bank-return", "{\"reason\":\"AC04 closed account\"}");
        var second = await PostAsync($"flows/{id}/bank-return", "{\"reason\":\"AC04 closed account\"}");

        bad.Status.ShouldBe(HttpStatusCode.BadRequest);
        first.Status.ShouldBe(HttpStatusCode.Accepted);
        first.Json.GetProperty("outcome").GetString().ShouldBe(nameof(BankReturnOutcome.Recorded));
        second.Status.ShouldBe(HttpStatusCode.OK);
        second.Json.GetProperty("outcome").GetString().ShouldBe(nameof(BankReturnOutcome.AlreadyRecorded));
    }

    [Fact]
    public async Task PayoutBatch_MerchantAboveTheMinimum_Started_BelowIt_NotPaid()
    {
        _balances.Units["m1"] = 2_500_000; // 250p at 10,000 units per penny

        var batch = await PostAsync("flows/payouts", "{}");

        batch.Status.ShouldBe(HttpStatusCode.OK);
        var item = batch.Json.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        item.GetProperty("merchant").GetString().ShouldBe("m1");
        item.GetProperty("outcome").GetString().ShouldBe(nameof(PayoutBatchItemOutcome.Started));
        item.GetProperty("amountPence").GetInt64().ShouldBe(250);
        var list = await _http.GetAsync(new Uri(Host.BaseUrl, "flows"));
        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        doc.RootElement.GetProperty("flows").EnumerateArray().ShouldContain(f => f.GetProperty("kind").GetString() == "Payout");
    }

    [Fact]
    public async Task Reconciliation_FromStoredData_BankMatchesLedger_AndAFundingTheIndexerNeverBookedIsABreak()
    {
        var id = Guid.NewGuid();
        await PostAsync("flows/topups", Topup(id, 1_200));
        await Host.Services.GetRequiredService<SettlementFlows>().AdvanceAsync(id);

        var json = await _http.GetAsync(new Uri(Host.BaseUrl, "reconciliation"));
        var table = await _http.GetAsync(new Uri(Host.BaseUrl, "reconciliation?format=table"));
        var bad = await _http.GetAsync(new Uri(Host.BaseUrl, "reconciliation?format=xml"));

        // The fake chain's funding transaction was never booked by an indexer: the chain side lacks it.
        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        json.Headers.GetValues("X-Reconciliation-Breaks").ShouldBe(["1"]);
        var body = await json.Content.ReadAsStringAsync();
        body.ShouldContain("MissingOnChain");
        body.ShouldContain("bank-ledger");
        table.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await table.Content.ReadAsStringAsync()).ShouldContain("MissingOnChain");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static string Topup(Guid id, long pence) => JsonSerializer.Serialize(new
    {
        flowId = id,
        userId = "user-1",
        bank = "sandbox",
        amountPence = pence,
        payerAddress = Payer,
        payeeAddress = Payee,
        debtorAccount = new { identification = "60161331926819", name = "Customer" },
    });

    [Fact]
    public async Task Recharge_ServiceWithoutSweeps_404AndNothingStored()
    {
        var recharge = await PostAsync("flows/recharges", """{"consentId":"c","idempotencyKey":"k","amountPence":5}""");
        var consent = await PostAsync("sweeping-consents", "{}");

        recharge.Status.ShouldBe(HttpStatusCode.NotFound);
        consent.Status.ShouldBe(HttpStatusCode.NotFound);
        (await Host.Services.GetRequiredService<SettlementFlows>().ListAsync()).ShouldBeEmpty();
    }

    /// <summary>The UTF-8 of <paramref name="json"/> with the invalid sequence 0xC3 0x28 inserted after <paramref name="needle"/>.</summary>
    internal static byte[] WithInvalidUtf8(string json, string needle)
    {
        var at = json.IndexOf(needle, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, needle);
        return [.. Encoding.UTF8.GetBytes(json[..(at + needle.Length)]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(json[(at + needle.Length)..])];
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

    /// <summary>The fake bank's payments as the transfer store would list them (all completed).</summary>
    private sealed class FakeBankOperations(FakeBank bank) : IBankOperationSource
    {
        public Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<BankOperation>>(
            [
                .. bank.Payments.Select(p => new BankOperation(
                    p.OperationId, p.Kind == "topup" ? TransferKind.Topup : TransferKind.Payout, TransferState.Completed, p.AmountPence, "GBP", "pay-" + p.OperationId.ToString("N"),
                    new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero))),
            ]);
    }
}

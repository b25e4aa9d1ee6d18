using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Service.Ledger;
using Settlement.SettlementService;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary><c>GET /ledger/journal</c>: the journal's integrity, as the ledger store verifies it (read by the dashboard).</summary>
public sealed partial class SettlementServiceHostTests
{
    [Fact]
    public async Task Journal_AfterAChannelIsBooked_OkWithTheStoresEntriesAndHead()
    {
        await using var host = await SettlementServiceHost.StartAsync(Options());
        await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.OK, "healthy");
        await Chain.OpenAsync(10_000);
        var opened = await Chain.Rpc.GetBlockNumberAsync();
        await WaitForHealthAsync(host, h => CheckpointOf(h) >= opened, $"checkpoint past block {opened}");

        using var journal = JsonDocument.Parse(await _http.GetStringAsync(new Uri(host.BaseUrl, "ledger/journal")));
        var verified = await host.Services.GetRequiredService<ILedgerStore>().VerifyJournalAsync();

        verified.Ok.ShouldBeTrue();
        verified.Entries.ShouldBeGreaterThan(0);
        journal.RootElement.GetProperty("ok").GetBoolean().ShouldBeTrue();
        journal.RootElement.GetProperty("entries").GetInt64().ShouldBe(verified.Entries);
        journal.RootElement.GetProperty("headHash").GetString().ShouldBe(verified.HeadHash);
        journal.RootElement.GetProperty("problem").ValueKind.ShouldBe(JsonValueKind.Null);
        journal.RootElement.GetProperty("brokenSeq").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}

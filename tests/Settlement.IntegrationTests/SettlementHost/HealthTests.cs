using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Indexer;
using Settlement.Service.Storage.Sqlite;
using Settlement.SettlementService;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>The two <c>/health</c> refusals that need no chain: the indexer before its first poll, and the ledger unreachable.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-health-");
    private readonly HttpClient _http = new();

    private string DatabasePath => Path.Combine(_directory.FullName, "ledger.db");

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Health_BeforeTheFirstPollEnds_503Starting_ThenHealthyOnceItHas()
    {
        var source = new GatedChainSource();
        await using var host = await SettlementServiceHost.StartAsync(
            new SettlementServiceOptions
            {
                Port = 0,
                Database = DatabasePath,
                RpcUrl = new Uri("http://127.0.0.1:1/"),
                ChainId = 31337,
                Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                Token = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                Confirmations = 0,
                IndexerPollInterval = TimeSpan.FromHours(1),
            },
            services => services.Replace(ServiceDescriptor.Singleton<IChainSource>(source)));
        await source.Asked.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var (code, health) = await GetHealthAsync(host);

        code.ShouldBe(HttpStatusCode.ServiceUnavailable);
        health.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ShouldBe(["indexer: starting (no poll has completed yet)"]);
        health.GetProperty("indexer").GetProperty("lastPollAt").ValueKind.ShouldBe(JsonValueKind.Null);

        source.Open.SetResult();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (code != HttpStatusCode.OK)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), guard.Token);
            (code, health) = await GetHealthAsync(host);
        }

        health.GetProperty("indexer").GetProperty("head").GetUInt64().ShouldBe(GatedChainSource.Head);
        health.GetProperty("indexer").GetProperty("lag").GetInt64().ShouldBe(0);
        var checkpoint = health.GetProperty("indexer").GetProperty("checkpoint");
        checkpoint.GetProperty("block").GetUInt64().ShouldBe(GatedChainSource.Head, "empty blocks move the checkpoint too");
        checkpoint.GetProperty("eventsBooked").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Health_LedgerUnreachable_503NamingTheLedger_RecoversWhenItIsBack()
    {
        var store = new SwitchableIndexStore(new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath }));
        await using var host = await SettlementServiceHost.StartAsync(
            new SettlementServiceOptions { Port = 0, Database = DatabasePath, IndexerEnabled = false },
            services => services.Replace(ServiceDescriptor.Singleton<IChainIndexStore>(store)));
        (await GetHealthAsync(host)).Code.ShouldBe(HttpStatusCode.OK);

        store.Down = true;
        var (code, health) = await GetHealthAsync(host);

        code.ShouldBe(HttpStatusCode.ServiceUnavailable);
        health.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ShouldBe(["ledger unreachable: IOException: disk gone (test)"]);
        health.GetProperty("ledger").GetProperty("reachable").GetBoolean().ShouldBeFalse();
        health.GetProperty("ledger").GetProperty("error").GetString().ShouldBe("IOException: disk gone (test)");

        store.Down = false;
        (await GetHealthAsync(host)).Code.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<(HttpStatusCode Code, JsonElement Health)> GetHealthAsync(SettlementServiceHost host)
    {
        using var response = await _http.GetAsync(new Uri(host.BaseUrl, "health"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>An empty chain whose first answer waits until the test opens the gate.</summary>
    private sealed class GatedChainSource : IChainSource
    {
        public const ulong Head = 5;

        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default)
        {
            Asked.TrySetResult();
            await Open.Task.WaitAsync(cancellationToken);
            return 31337;
        }

        public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Head);

        public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
            Task.FromResult<ChainBlock?>(new ChainBlock(number, $"0x{number:x64}", $"0x{number - 1:x64}"));

        public Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default) =>
            Task.FromResult(LogQueryResult.Ok([]));
    }

    /// <summary>The real store, whose checkpoint read fails while <see cref="Down"/>.</summary>
    private sealed class SwitchableIndexStore(SqliteLedgerStore inner) : DelegatingChainIndexStore(inner)
    {
        public volatile bool Down;

        public override Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("disk gone (test)") : base.GetCheckpointAsync(stream, cancellationToken);
    }
}

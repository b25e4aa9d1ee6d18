using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Indexer;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;
using Settlement.SettlementService;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>
/// The settlement service host on SQLite over a real Anvil node (fresh contracts per test): health, the follower
/// booking what the chain does, the node going away and coming back, a graceful stop and a restart that continues from
/// the checkpoint (equal to a fresh re-index), and the Prometheus meters.
/// </summary>
public sealed partial class SettlementServiceHostTests(AnvilNode node) : IClassFixture<AnvilNode>, IAsyncLifetime
{
    /// <summary>How long a wait for the follower may take before the test fails (generous: CI is slow and shared).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-host-");
    private readonly HttpClient _http = new();
    private AnvilChain? _chain;

    private AnvilChain Chain => _chain ?? throw new InvalidOperationException("Not initialised.");

    private string DatabasePath => Path.Combine(_directory.FullName, "ledger.db");

    public async Task InitializeAsync() => _chain = await AnvilChain.CreateAsync(node);

    public Task DisposeAsync()
    {
        _chain?.Dispose();
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private SettlementServiceOptions Options(Uri? rpcUrl = null) => new()
    {
        Port = 0,
        Database = DatabasePath,
        RpcUrl = rpcUrl ?? node.RpcUrl,
        ChainId = node.ChainId,
        Contract = Chain.Channels.Address.ToString(),
        Token = Chain.Token.Address.ToString(),
        StartBlock = Chain.StartBlock,
        Confirmations = 0,
        IndexerPollInterval = TimeSpan.FromMilliseconds(50),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        ShutdownTimeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task Start_OnSqliteWithAnvil_HealthyWithTheCheckpointAndNoLag()
    {
        await using var host = await SettlementServiceHost.StartAsync(Options());
        var head = await Chain.Rpc.GetBlockNumberAsync();

        var health = await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.OK && CheckpointOf(h) >= head, $"checkpoint at {head}");

        health.Root.GetProperty("status").GetString().ShouldBe("healthy");
        health.Root.GetProperty("reasons").GetArrayLength().ShouldBe(0);
        health.Root.GetProperty("ledger").GetProperty("reachable").GetBoolean().ShouldBeTrue();
        health.Root.GetProperty("ledger").GetProperty("backend").GetString().ShouldBe("sqlite");
        var indexer = health.Root.GetProperty("indexer");
        indexer.GetProperty("stream").GetString().ShouldBe(Options().ToIndexerOptions().StreamName);
        indexer.GetProperty("checkpoint").GetProperty("hash").GetString().ShouldStartWith("0x");
        indexer.GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
        indexer.GetProperty("consecutiveFailures").GetInt32().ShouldBe(0);
        var stored = await host.Services.GetRequiredService<IChainIndexStore>().GetCheckpointAsync(Options().ToIndexerOptions().StreamName);
        stored!.Block!.Number.ShouldBe(CheckpointOf(health), "health reads the stored checkpoint");
    }

    [Fact]
    public async Task OpenChannel_FollowerBooksItOnce_LedgerAndAccountsEndpointShowTheEscrow()
    {
        await using var host = await SettlementServiceHost.StartAsync(Options());
        await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.OK, "healthy");

        var channel = await Chain.OpenAsync(10_000);
        var opened = await Chain.Rpc.GetBlockNumberAsync();
        await WaitForHealthAsync(host, h => CheckpointOf(h) >= opened, $"checkpoint past block {opened}");

        var stream = Options().ToIndexerOptions().StreamName;
        var events = await host.Services.GetRequiredService<IChainIndexStore>().ListEventsAsync(stream);
        events.Count(e => e.Kind == ChainEventKind.ChannelOpened).ShouldBe(1);
        var escrow = ChainAccounts.Escrow(node.ChainId, LedgerAssets.Tgbp, Chain.Channels.Address.ToLowerHex(), channel.Id.ToString()).Id;
        (await IndexState.NetAsync(host.Services.GetRequiredService<ILedgerStore>(), escrow)).ShouldBe(10_000);

        using var accounts = JsonDocument.Parse(await _http.GetStringAsync(new Uri(host.BaseUrl, "ledger/accounts")));
        var row = accounts.RootElement.EnumerateArray().Single(a => a.GetProperty("id").GetString() == escrow.ToString(CultureInfo.InvariantCulture));
        row.GetProperty("creditsPosted").GetString().ShouldBe("10000");
        row.GetProperty("debitsPosted").GetString().ShouldBe("0");
        row.GetProperty("code").GetInt32().ShouldBe((int)AccountCode.ChannelEscrow);
    }

    [Fact]
    public async Task NodeGoesAway_Health503NamingTheIndexer_HostKeepsServing_RecoversAndBooksWhenItIsBack()
    {
        await using var relay = new LoopbackRelay(node.RpcUrl);
        await using var host = await SettlementServiceHost.StartAsync(Options(relay.Url));
        await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.OK, "healthy through the relay");

        relay.Down();
        var down = await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.ServiceUnavailable, "503 while the node is away");

        down.Root.GetProperty("status").GetString().ShouldBe("unhealthy");
        down.Root.GetProperty("reasons")[0].GetString()!.ShouldStartWith("indexer: the last");
        down.Root.GetProperty("ledger").GetProperty("reachable").GetBoolean().ShouldBeTrue();
        down.Root.GetProperty("indexer").GetProperty("consecutiveFailures").GetInt32().ShouldBeGreaterThan(0);
        down.Root.GetProperty("indexer").GetProperty("lastError").GetString().ShouldNotBeNullOrEmpty();
        (await _http.GetAsync(new Uri(host.BaseUrl, "ledger/accounts"))).StatusCode.ShouldBe(HttpStatusCode.OK, "the host keeps serving");

        var channel = await Chain.OpenAsync(700);
        var opened = await Chain.Rpc.GetBlockNumberAsync();
        relay.Up();
        var back = await WaitForHealthAsync(host, h => h.Code == HttpStatusCode.OK && CheckpointOf(h) >= opened, $"healthy again past block {opened}");

        back.Root.GetProperty("indexer").GetProperty("consecutiveFailures").GetInt32().ShouldBe(0);
        back.Root.GetProperty("indexer").GetProperty("lastError").GetString().ShouldNotBeNullOrEmpty("the last error is kept after a recovery");
        var escrow = ChainAccounts.Escrow(node.ChainId, LedgerAssets.Tgbp, Chain.Channels.Address.ToLowerHex(), channel.Id.ToString()).Id;
        (await IndexState.NetAsync(host.Services.GetRequiredService<ILedgerStore>(), escrow)).ShouldBe(700);
    }

    [Fact]
    public async Task StopThenRestart_PollFinishedNotAborted_ContinuesFromTheCheckpoint_EqualToAFreshReindex()
    {
        var channel = await Chain.OpenAsync(10_000);
        var logs = new CollectingLoggerProvider();
        var first = await SettlementServiceHost.StartAsync(Options(), logging: l => l.AddProvider(logs));
        var opened = await Chain.Rpc.GetBlockNumberAsync();
        await WaitForHealthAsync(first, h => CheckpointOf(h) >= opened, $"first run past block {opened}");

        using (var guard = new CancellationTokenSource(Patience))
        {
            await first.StopAsync(guard.Token);
        }

        await Should.ThrowAsync<HttpRequestException>(() => _http.GetAsync(new Uri(first.BaseUrl, "health")), "a stopped host takes no requests");
        await first.DisposeAsync();
        logs.EventIds.ShouldContain(4106, "the follower stopped after its last poll");
        logs.EventIds.ShouldNotContain(4105, "no poll was cut by the shutdown timeout");

        await Chain.RedeemAsync(channel, 3_000);
        await Chain.Channels.TopUpAsync(Chain.Payer, channel, 500);
        var head = await Chain.Rpc.GetBlockNumberAsync();
        await using (var second = await SettlementServiceHost.StartAsync(Options()))
        {
            await WaitForHealthAsync(second, h => CheckpointOf(h) >= head, $"second run past block {head}");
        }

        SqliteConnection.ClearAllPools();
        var stream = Options().ToIndexerOptions().StreamName;
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath });
        var served = await IndexState.ReadAsync(new LedgerDb(store, store), stream);
        var fresh = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Path.Combine(_directory.FullName, "fresh.db") });
        await fresh.MigrateAsync();
        await new ChainIndexer(new RpcChainSource(Chain.Rpc), fresh, Options().ToIndexerOptions(), TimeProvider.System).RunUntilCaughtUpAsync();
        served.ShouldEqual(await IndexState.ReadAsync(new LedgerDb(fresh, fresh), stream), "restart continued from the checkpoint: nothing booked twice or missed");
        (await store.ListEventsAsync(stream)).Count(e => e.Kind == ChainEventKind.ChannelOpened).ShouldBe(1);
        (await IndexState.NetAsync(store, ChainAccounts.Wallet(node.ChainId, LedgerAssets.Tgbp, Chain.PayeeKey.Address.ToLowerHex()).Id)).ShouldBe(3_000);
    }

    [Fact]
    public async Task MetricsPrometheus_AfterBooking_ExposesTheIndexerMeters()
    {
        await Chain.OpenAsync(1_000);
        var head = await Chain.Rpc.GetBlockNumberAsync();
        await using var host = await SettlementServiceHost.StartAsync(Options());
        await WaitForHealthAsync(host, h => CheckpointOf(h) >= head, $"checkpoint past block {head}");
        var checkpoint = (await host.Services.GetRequiredService<IChainIndexStore>().GetCheckpointAsync(Options().ToIndexerOptions().StreamName))!;

        // The database commits before the follower reports the poll: scrape until the gauge has caught up with it.
        var text = await ScrapeUntilAsync(host, t => TrySample(t, "settlement_indexer_checkpoint_block") >= (long)checkpoint.Block!.Number);

        Sample(text, "settlement_indexer_checkpoint_block").ShouldBe((long)checkpoint.Block!.Number);
        Sample(text, "settlement_indexer_events_total").ShouldBe(checkpoint.EventsBooked, "every event was booked by this host");
        Sample(text, "settlement_indexer_lag_blocks").ShouldBe(0);
        Sample(text, "settlement_indexer_blocks_total").ShouldBeGreaterThan(0);
        Sample(text, "settlement_indexer_head_block").ShouldBeGreaterThanOrEqualTo((long)head);
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> (labels ignored).</summary>
    private static long Sample(string exposition, string metric) =>
        TrySample(exposition, metric) ?? throw new ShouldAssertException($"{metric} not in:\n{exposition}");

    private static long? TrySample(string exposition, string metric)
    {
        var match = Regex.Match(exposition, "^" + Regex.Escape(metric) + @"(\{[^}]*\})? (\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : null;
    }

    private async Task<string> ScrapeUntilAsync(SettlementServiceHost host, Func<string, bool> until)
    {
        using var guard = new CancellationTokenSource(Patience);
        var text = "";
        try
        {
            while (true)
            {
                text = await _http.GetStringAsync(new Uri(host.BaseUrl, "metrics/prometheus"), guard.Token);
                if (until(text))
                {
                    return text;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
            }
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            throw new ShouldAssertException($"The meters never caught up; the last scrape:\n{text}");
        }
    }

    private static ulong CheckpointOf(Health health) =>
        health.Root.GetProperty("indexer").GetProperty("checkpoint") is { ValueKind: JsonValueKind.Object } c && c.GetProperty("block").ValueKind == JsonValueKind.Number
            ? c.GetProperty("block").GetUInt64()
            : 0;

    /// <summary>Reads <c>/health</c> until <paramref name="until"/> holds; fails naming what it waited for after <see cref="Patience"/>.</summary>
    private async Task<Health> WaitForHealthAsync(SettlementServiceHost host, Func<Health, bool> until, string what)
    {
        using var guard = new CancellationTokenSource(Patience);
        Health? last = null;
        try
        {
            while (true)
            {
                using var response = await _http.GetAsync(new Uri(host.BaseUrl, "health"), guard.Token);
                var json = await response.Content.ReadAsStringAsync(guard.Token);
                last = new Health(response.StatusCode, JsonDocument.Parse(json).RootElement.Clone(), json);
                if (until(last))
                {
                    return last;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
            }
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            throw new ShouldAssertException($"Waited for {what}; the last /health was {(int?)last?.Code}: {last?.Text}");
        }
    }

    private sealed record Health(HttpStatusCode Code, JsonElement Root, string Text);
}

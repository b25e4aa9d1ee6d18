using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer.Source;
using Settlement.SettlementService;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>
/// The follower against a node that always fails, on a test clock: each failure is reported on <c>/health</c> and the
/// next poll waits RetryBaseDelay (1.5 s), then twice that, then RetryMaxDelay (4 s, not 6 s) — steps of the clock, never of the wall.
/// </summary>
public sealed class IndexerFollowerBackoffTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-backoff-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Follower_NodeFailing_RetriesAfterDoublingDelaysOnTheTimeProvider_CappedAtTheMax_HostKeepsServing()
    {
        var clock = new TestClock();
        var source = new FailingChainSource();
        var options = new SettlementServiceOptions
        {
            Port = 0,
            Database = Path.Combine(_directory.FullName, "ledger.db"),
            RpcUrl = new Uri("http://127.0.0.1:1/"),
            ChainId = 31337,
            Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            Token = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
            // Not whole seconds: no other timer (a once-a-second heartbeat) can be due at the same instants.
            RetryBaseDelay = TimeSpan.FromSeconds(1.5),
            RetryMaxDelay = TimeSpan.FromSeconds(4),
            PendingExpiryInterval = TimeSpan.FromHours(1),
        };
        var t0 = clock.GetUtcNow();
        await using var host = await SettlementServiceHost.StartAsync(options, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            services.Replace(ServiceDescriptor.Singleton<IChainSource>(source));
        });

        await clock.WaitForTimerDueAtAsync(t0 + TimeSpan.FromSeconds(1.5)).WaitAsync(Patience);
        source.Calls.ShouldBe(1);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        await clock.WaitForTimerDueAtAsync(t0 + TimeSpan.FromSeconds(1.5 + 3)).WaitAsync(Patience);
        source.Calls.ShouldBe(2);
        clock.Advance(TimeSpan.FromSeconds(3));
        await clock.WaitForTimerDueAtAsync(t0 + TimeSpan.FromSeconds(4.5 + 4)).WaitAsync(Patience);
        source.Calls.ShouldBe(3, "the third wait is capped at RetryMaxDelay (4 s, not 6 s)");

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(host.BaseUrl, "health"));
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var indexer = health.RootElement.GetProperty("indexer");
        indexer.GetProperty("consecutiveFailures").GetInt32().ShouldBe(3);
        indexer.GetProperty("lastError").GetString().ShouldBe("HttpRequestException: node down (test)");
        indexer.GetProperty("lastErrorAt").GetString().ShouldBe((t0 + TimeSpan.FromSeconds(4.5)).ToString("O", CultureInfo.InvariantCulture));
        indexer.GetProperty("lastSuccessAt").ValueKind.ShouldBe(JsonValueKind.Null);
        health.RootElement.GetProperty("reasons")[0].GetString().ShouldBe("indexer: the last 3 poll(s) failed: HttpRequestException: node down (test)");
        (await http.GetAsync(new Uri(host.BaseUrl, "ledger/accounts"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>A chain node that is never there.</summary>
    private sealed class FailingChainSource : IChainSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            throw new HttpRequestException("node down (test)");
        }

        public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}

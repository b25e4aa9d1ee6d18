using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Indexer;
using Settlement.Service.Ledger;
using Settlement.SettlementService;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>The host with its ledger on PostgreSQL (a connection string as <c>Database</c>) over a real Anvil node.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSettlementServiceHostTests(AnvilNode node, PostgresFixture postgres) : IClassFixture<AnvilNode>, IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private AnvilChain? _chain;

    private AnvilChain Chain => _chain ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _chain = await AnvilChain.CreateAsync(node);

    public Task DisposeAsync()
    {
        _chain?.Dispose();
        _http.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Start_OnPostgreSql_BooksTheChannelOnce_HealthNamesTheBackend_RestartContinues()
    {
        var database = await postgres.CreateDatabaseAsync();
        var options = new SettlementServiceOptions
        {
            Port = 0,
            Database = database,
            RpcUrl = node.RpcUrl,
            ChainId = node.ChainId,
            Contract = Chain.Channels.Address.ToString(),
            Token = Chain.Token.Address.ToString(),
            StartBlock = Chain.StartBlock,
            Confirmations = 0,
            IndexerPollInterval = TimeSpan.FromMilliseconds(50),
        };
        options.IsPostgreSql.ShouldBeTrue();
        var channel = await Chain.OpenAsync(4_000);
        var head = await Chain.Rpc.GetBlockNumberAsync();
        await using (var first = await SettlementServiceHost.StartAsync(options))
        {
            var health = await WaitForCheckpointAsync(first, head);
            health.GetProperty("ledger").GetProperty("backend").GetString().ShouldBe("postgresql");
        }

        await Chain.RedeemAsync(channel, 1_500);
        head = await Chain.Rpc.GetBlockNumberAsync();
        await using var second = await SettlementServiceHost.StartAsync(options);
        await WaitForCheckpointAsync(second, head);

        var events = await second.Services.GetRequiredService<IChainIndexStore>().ListEventsAsync(options.ToIndexerOptions().StreamName);
        events.Count(e => e.Kind == ChainEventKind.ChannelOpened).ShouldBe(1);
        events.Count(e => e.Kind == ChainEventKind.VoucherRedeemed).ShouldBe(1);
        events.Select(e => e.Key).Distinct().Count().ShouldBe(events.Count);
        var escrow = ChainAccounts.Escrow(node.ChainId, LedgerAssets.Tgbp, Chain.Channels.Address.ToLowerHex(), channel.Id.ToString()).Id;
        (await IndexState.NetAsync(second.Services.GetRequiredService<ILedgerStore>(), escrow)).ShouldBe(4_000 - 1_500);
    }

    private async Task<JsonElement> WaitForCheckpointAsync(SettlementServiceHost host, ulong block)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            using var response = await _http.GetAsync(new Uri(host.BaseUrl, "health"), guard.Token);
            var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(guard.Token)).RootElement.Clone();
            if (response.StatusCode == HttpStatusCode.OK
                && health.GetProperty("indexer").GetProperty("checkpoint") is { ValueKind: JsonValueKind.Object } checkpoint
                && checkpoint.GetProperty("block").GetUInt64() >= block)
            {
                return health;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
        }
    }
}

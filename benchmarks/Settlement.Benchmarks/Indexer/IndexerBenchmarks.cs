using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Settlement.Benchmarks.Payee;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.DevChain;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Benchmarks.Indexer;

/// <summary>
/// The indexer figure (docs/benchmarks.md, "Indexer"): events/s from a local Anvil node into each ledger store. One
/// chain is built first — <see cref="Channels"/> token channels opened, then <see cref="BatchRedeems"/> <c>redeemBatch</c>
/// transactions over all of them (each emits one <c>BatchVoucherRedeemed</c> per channel and a token transfer) — then
/// each run indexes it from the start block into a fresh database, alternating the stores, with the node's default
/// log range and with a node that refuses more than <see cref="SmallRange"/> blocks per <c>eth_getLogs</c>.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- indexer
/// </summary>
internal static class IndexerBenchmarks
{
    public const int Runs = 3;
    public const int Channels = 100;
    public const int BatchRedeems = 40;
    public const int SmallRange = 10;

    // Anvil's default development accounts 0–2 (the well-known test mnemonic).
    private const string PlatformKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string PayerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private const string PayeeKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    public static async Task RunAsync(string[] args)
    {
        _ = args;
        Progress("starting Anvil and PostgreSQL");
        await using var anvil = await AnvilProcess.StartAsync();
        await using var postgres = await PostgresProcess.StartAsync();
        using var http = new HttpClient();
        var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = anvil.RpcUrl, ChainId = anvil.ChainId });
        var options = await BuildChainAsync(rpc);
        var head = await rpc.GetBlockNumberAsync();
        Progress($"chain built: blocks {options.StartBlock}..{head}");

        var cells = new Dictionary<string, List<double>>();
        long events = 0;
        for (var run = -1; run < Runs; run++)
        {
            var order = run % 2 == 0 ? new[] { "sqlite", "postgres" } : ["postgres", "sqlite"];
            foreach (var backend in order)
            {
                foreach (var small in new[] { false, true })
                {
                    var (store, cleanup) = await OpenAsync(backend, postgres);
                    try
                    {
                        IChainSource source = new RpcChainSource(rpc);
                        var indexerOptions = options;
                        if (small)
                        {
                            source = new LimitedSource(source, SmallRange);
                            indexerOptions = Copy(options, SmallRange * 64);
                        }

                        var watch = Stopwatch.StartNew();
                        var summary = await new ChainIndexer(source, store, indexerOptions).RunUntilCaughtUpAsync();
                        var rate = summary.EventsBooked / watch.Elapsed.TotalSeconds;
                        events = summary.EventsBooked;
                        var key = backend + (small ? " small" : " default");
                        Progress($"run {run}: {key}: {summary.EventsBooked:N0} events, {summary.BlocksIndexed:N0} blocks, {summary.TransfersBooked:N0} transfers, {summary.RangeReductions} range reductions in {watch.Elapsed.TotalSeconds:F2} s = {rate:N0} events/s");
                        if (run >= 0)
                        {
                            (cells.TryGetValue(key, out var list) ? list : cells[key] = []).Add(rate);
                        }
                    }
                    finally
                    {
                        await cleanup();
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{events:N0} events in {head - options.StartBlock + 1:N0} blocks, confirmations 0, {Runs} runs per cell.");
        Console.WriteLine();
        Console.WriteLine("| Figure | Median events/s | Runs (min–max) |");
        Console.WriteLine("|---|---:|---|");
        foreach (var (key, label) in new[]
        {
            ("sqlite default", "Anvil → SQLite ledger, default log range (whole chain in a few batches)"),
            ("postgres default", "Anvil → PostgreSQL ledger, default log range"),
            ("sqlite small", $"Anvil → SQLite, node refuses > {SmallRange} blocks per eth_getLogs (halving first)"),
            ("postgres small", $"Anvil → PostgreSQL, node refuses > {SmallRange} blocks per eth_getLogs"),
        })
        {
            var rates = cells[key];
            Console.WriteLine($"| {label} | {Stats.Median(rates):N0} | {rates.Min():N0}–{rates.Max():N0} |");
        }
    }

    private static IndexerOptions Copy(IndexerOptions o, int initialRange) => new()
    {
        ChainId = o.ChainId,
        ChannelContract = o.ChannelContract,
        Token = o.Token,
        StartBlock = o.StartBlock,
        Confirmations = o.Confirmations,
        InitialBlockRange = initialRange,
        MaxBlockRange = Math.Max(initialRange, o.MaxBlockRange),
    };

    private static async Task<IndexerOptions> BuildChainAsync(EthereumRpcClient rpc)
    {
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(2) });
        using var platformKey = PrivateKey.ParseHex(PlatformKey);
        using var payerKey = PrivateKey.ParseHex(PayerKey);
        using var payeeKey = PrivateKey.ParseHex(PayeeKey);
        var platform = new SignedTransactor(sender, platformKey);
        var payer = new SignedTransactor(sender, payerKey);
        var payee = new SignedTransactor(sender, payeeKey);
        var start = await rpc.GetBlockNumberAsync() + 1;
        var contract = await ChannelContract.DeployAsync(rpc, platform);
        var token = await StablecoinContract.DeployAsync(rpc, platform, platformKey.Address);
        const long Deposit = 1_000_000;
        await token.MintAsync(platform, payerKey.Address, Deposit * Channels);
        await token.ApproveAsync(payer, contract.Address, Deposit * Channels);
        var channels = new List<ChannelParameters>();
        for (var i = 0; i < Channels; i++)
        {
            channels.Add((await contract.OpenAsync(payer, payerKey.Address, payeeKey.Address, token.Address, 3600, Deposit)).Channel);
        }

        Progress($"{Channels} channels opened");
        for (var round = 1; round <= BatchRedeems; round++)
        {
            var vouchers = channels.Select(c => (c, contract.SignVoucher(payerKey, c.Id, round * 100))).ToList();
            await contract.RedeemBatchAsync(payee, token.Address, vouchers);
        }

        Progress($"{BatchRedeems} batch redeems of {Channels} channels sent");
        return new IndexerOptions
        {
            ChainId = rpc.ChainId,
            ChannelContract = contract.Address.ToString(),
            Token = token.Address.ToString(),
            StartBlock = start,
            Confirmations = 0,
        };
    }

    private static async Task<(IChainIndexStore Store, Func<Task> Cleanup)> OpenAsync(string backend, PostgresProcess postgres)
    {
        if (backend == "sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("l2pay-indexer-bench-");
            var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Path.Combine(directory.FullName, "ledger.db") });
            await store.MigrateAsync();
            return (store, () =>
            {
                SqliteConnection.ClearAllPools();
                directory.Delete(recursive: true);
                return Task.CompletedTask;
            });
        }

        var name = "bench_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(postgres.GetConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var dataSource = NpgsqlDataSource.Create(postgres.GetConnectionString(name));
        var pg = new PostgreSqlLedgerStore(dataSource);
        await pg.MigrateAsync();
        return (pg, async () => await dataSource.DisposeAsync());
    }

    private static void Progress(string text) => Console.Error.WriteLine($"[indexer] {text}");

    /// <summary>A node that refuses log ranges over <paramref name="max"/> blocks, as public RPC providers do.</summary>
    private sealed class LimitedSource(IChainSource inner, int max) : IChainSource
    {
        public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) => inner.GetChainIdAsync(cancellationToken);

        public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => inner.GetHeadAsync(cancellationToken);

        public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) => inner.GetBlockAsync(number, cancellationToken);

        public Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default) =>
            to - from + 1 > (ulong)max
                ? Task.FromResult(LogQueryResult.TooLarge($"block range is too large (max {max})"))
                : inner.GetLogsAsync(from, to, addresses, cancellationToken);
    }
}

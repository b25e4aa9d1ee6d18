using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Settlement.Benchmarks.Payee;
using Settlement.DevChain;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Benchmarks.Ledger;

/// <summary>
/// The ledger figures (docs/benchmarks.md, "Ledger"): transfers/s into each store, one transfer per call and in
/// batches of <see cref="BatchSize"/>, one writer. Each run measures all four cells in an alternating order (SQLite
/// first on even runs, PostgreSQL first on odd ones) so a busy machine shows in both stores; the table reports medians
/// and the run range. Every run uses a fresh database with <see cref="Accounts"/> accounts and random pairs.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- ledger
/// </summary>
internal static class LedgerBenchmarks
{
    public const int Runs = 5;
    public const int Accounts = 1_000;
    public const int BatchSize = 1_000;
    private const int SingleTransfers = 1_000;
    private const int Batches = 20;

    public static async Task RunAsync(string[] args)
    {
        _ = args;
        Progress("starting PostgreSQL");
        await using var postgres = await PostgresProcess.StartAsync();
        var cells = new Dictionary<string, List<double>>();
        void Add(string key, double rate) => (cells.TryGetValue(key, out var list) ? list : cells[key] = []).Add(rate);

        for (var run = -1; run < Runs; run++)
        {
            var order = run % 2 == 0 ? new[] { "sqlite", "postgres" } : ["postgres", "sqlite"];
            foreach (var backend in order)
            {
                var (store, cleanup) = await OpenAsync(backend, postgres);
                try
                {
                    await SeedAsync(store);
                    var single = await SingleAsync(store);
                    var batched = await BatchedAsync(store);
                    Progress($"run {run}: {backend} single {single:N0}/s, batched {batched:N0}/s");
                    if (run >= 0)
                    {
                        Add(backend + " single", single);
                        Add(backend + " batched", batched);
                    }
                }
                finally
                {
                    await cleanup();
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Figure | Median transfers/s | Runs (min–max) | Target |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var (key, label, target) in new[]
        {
            ("sqlite single", "SQLite (WAL, synchronous=FULL), one transfer per call (one commit each)", "—"),
            ("sqlite batched", $"SQLite, batches of {BatchSize:N0} (one commit each)", "≥ 50,000/s"),
            ("postgres single", "PostgreSQL 15 (fsync on), one transfer per call", "—"),
            ("postgres batched", $"PostgreSQL, batches of {BatchSize:N0}, one writer", "≥ 20,000/s"),
        })
        {
            var rates = cells[key];
            Console.WriteLine($"| {label} | {Stats.Median(rates):N0} | {rates.Min():N0}–{rates.Max():N0} | {target} |");
        }
    }

    private static async Task<(ILedgerStore Store, Func<Task> Cleanup)> OpenAsync(string backend, PostgresProcess postgres)
    {
        if (backend == "sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("l2pay-ledger-bench-");
            var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Path.Combine(directory.FullName, "ledger.db") });
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
        return (new PostgreSqlLedgerStore(dataSource), async () => await dataSource.DisposeAsync());
    }

    private static async Task SeedAsync(ILedgerStore store)
    {
        await store.MigrateAsync();
        var accounts = Enumerable.Range(1, Accounts).Select(i => new Account((UInt128)i, LedgerAssets.Gbp, (ushort)AccountCode.User)).ToList();
        var results = await store.CreateAccountsAsync(accounts);
        if (results.Any(r => r != CreateAccountResult.Ok))
        {
            throw new InvalidOperationException("Seeding the benchmark accounts failed.");
        }
    }

    private static List<Transfer> Transfers(ulong firstId, int count, Random random) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var debit = random.Next(1, Accounts + 1);
            var credit = random.Next(1, Accounts);
            credit = credit >= debit ? credit + 1 : credit;
            return new Transfer(firstId + (ulong)i, (UInt128)debit, (UInt128)credit, 1, LedgerAssets.Gbp, 1);
        }).ToList();

    private static async Task<double> SingleAsync(ILedgerStore store)
    {
        var transfers = Transfers(1_000_000, SingleTransfers, new Random(1));
        var watch = Stopwatch.StartNew();
        foreach (var transfer in transfers)
        {
            Check(await store.CreateTransfersAsync([transfer]));
        }

        return transfers.Count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> BatchedAsync(ILedgerStore store)
    {
        var random = new Random(2);
        var batches = Enumerable.Range(0, Batches).Select(b => Transfers(2_000_000 + (ulong)(b * BatchSize), BatchSize, random)).ToList();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            Check(await store.CreateTransfersAsync(batch));
        }

        return Batches * BatchSize / watch.Elapsed.TotalSeconds;
    }

    private static void Check(IReadOnlyList<CreateTransferResult> results)
    {
        if (results.Any(r => r != CreateTransferResult.Ok))
        {
            throw new InvalidOperationException($"A benchmark transfer was refused: {results.First(r => r != CreateTransferResult.Ok)}.");
        }
    }

    private static void Progress(string text) => Console.Error.WriteLine($"[ledger] {text}");
}

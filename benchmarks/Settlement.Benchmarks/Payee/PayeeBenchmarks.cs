using System.Globalization;
using Settlement.DevChain;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// The payee figures (docs/benchmarks.md, "Payee"): each is the median of <see cref="Runs"/> runs, and each run is
/// paired with the raw libsecp256k1 recover rate on one thread timed right before or after it (alternating), so a
/// busy machine shows in both. Prints a Markdown table.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- payee [engine] [stream] [memory] [first]
/// (no section names = all four).
/// </summary>
internal static class PayeeBenchmarks
{
    public const int Runs = 5;
    private static readonly TimeSpan RawWindow = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(string[] args)
    {
        var sections = args.Skip(1).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Wanted(string name) => sections.Count == 0 || sections.Contains(name);
        var rows = new List<string>();

        if (Wanted("engine"))
        {
            Progress("engine: starting PostgreSQL, then a child pinned to one CPU (taskset)");
            await using var postgres = await PostgresProcess.StartAsync();
            var results = await EngineThroughput.RunPinnedAsync(Runs, postgres.GetConnectionString());
            foreach (var (store, label) in new[]
            {
                ("sqlite", "SQLite (WAL, synchronous=FULL), in process"),
                ("postgres", "PostgreSQL 15 (fsync on), server outside the pin"),
                ("discard", "no store (a store that keeps nothing: verify + engine only, for reference)"),
            })
            {
                var runs = results.Where(r => r.Store == store).ToList();
                rows.Add(Row(
                    $"1. verify + durable persist, one core, {label}: vouchers/s (mean batch {Stats.Median(runs.Select(r => r.Batch)):F0})",
                    $"{Stats.Median(runs.Select(r => r.Ours)):N0}",
                    store == "sqlite" ? "≥ 20,000/s and ≥ 65 %" : "(beside SQLite)",
                    runs.Select(r => r.Raw),
                    runs.Select(r => r.Ours / r.Raw).ToList(),
                    runs.Count));
            }
        }

        using var raw = new RawRecoverRate();
        if (Wanted("stream") || Wanted("first"))
        {
            Progress("service: starting Anvil, opening 100 channels, starting the payee service and 100 clients");
            await using var service = await ServiceBench.StartAsync();
            if (Wanted("stream"))
            {
                var (rates, raws) = await PairedAsync(raw, service.ThroughputAsync);
                rows.Add(Row(
                    $"2a. end to end, loopback WebSocket, {ServiceBench.Payers} payers pipelined (in-flight 256 each): vouchers/s",
                    $"{Stats.Median(rates):N0}",
                    "≥ 10,000/s",
                    raws,
                    rates.Zip(raws, (o, r) => o / r).ToList(),
                    rates.Count));

                var (latencies, latencyRaws) = await PairedAsync(raw, service.PacedLatencyAsync);
                rows.Add(Row(
                    $"2b. ACK latency p50 at a paced {ServiceBench.PacedRate:N0} vouchers/s total ({ServiceBench.Payers} × 10/s), ms",
                    $"{Stats.Median(latencies.Select(l => l.P50)):F2}",
                    "—",
                    latencyRaws,
                    null,
                    latencies.Count));
                rows.Add(Row(
                    "2c. ACK latency p99 at the same pace, ms",
                    $"{Stats.Median(latencies.Select(l => l.P99)):F2}",
                    "≤ 5 ms",
                    latencyRaws,
                    null,
                    latencies.Count));
                rows.Add(Row(
                    "2d. (cause of 2c) store write + fsync per group commit in the same paced runs, p99 / longest, ms",
                    $"{Stats.Median(latencies.Select(l => l.FlushP99)):F2} / {Stats.Median(latencies.Select(l => l.FlushMax)):F1}",
                    "—",
                    latencyRaws,
                    null,
                    latencies.Count));
            }

            if (Wanted("first"))
            {
                var (firsts, firstRaws) = await PairedAsync(raw, service.FirstPaymentAsync, runs: 7);
                rows.Add(Row(
                    "4. confirmation block mined → first ACK accepted (Anvil, 1 confirmation, stream already open), ms",
                    $"{Stats.Median(firsts):F1} (max {firsts.Max():F1})",
                    "go-nitro publishes 84 ms",
                    firstRaws,
                    null,
                    firsts.Count));
            }
        }

        if (Wanted("memory"))
        {
            Progress($"memory: {ChannelMemory.Channels:N0} channels, one voucher each");
            var bytes = await ChannelMemory.RunAsync(Runs);
            rows.Add(Row(
                $"3. engine memory per open channel ({ChannelMemory.Channels:N0} tracked, one voucher each), bytes",
                $"{Stats.Median(bytes):F0}",
                "≤ 1,024",
                [],
                null,
                bytes.Count));
        }

        Console.WriteLine();
        Console.WriteLine("| Figure | Median | Target | Raw recover /s (median of the paired runs) | Ratio to raw recover (median of per-run ratios) | Runs |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }
    }

    private static async Task<(List<T> Ours, List<double> Raw)> PairedAsync<T>(RawRecoverRate raw, Func<Task<T>> run, int runs = Runs)
    {
        await run(); // warm-up, not reported
        var ours = new List<T>();
        var raws = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var rawFirst = i % 2 == 0;
            var r = rawFirst ? raw.Measure(RawWindow) : 0;
            ours.Add(await run());
            raws.Add(rawFirst ? r : raw.Measure(RawWindow));
        }

        return (ours, raws);
    }

    private static string Row(string figure, string median, string target, IEnumerable<double> raws, List<double>? ratios, int runs)
    {
        var rawText = raws.Any() ? Stats.Median(raws).ToString("N0", CultureInfo.InvariantCulture) : "—";
        var ratioText = ratios is { Count: > 0 }
            ? string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(ratios):P0} (runs {ratios.Min():P0}–{ratios.Max():P0})")
            : "—";
        return $"| {figure} | {median} | {target} | {rawText} | {ratioText} | {runs} |";
    }

    private static void Progress(string text) => Console.Error.WriteLine($"[payee] {text}");
}

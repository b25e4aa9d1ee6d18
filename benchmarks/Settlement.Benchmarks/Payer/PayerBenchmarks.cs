using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Settlement.Benchmarks.Payee;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Benchmarks.Payer;

/// <summary>
/// The payer figures (docs/benchmarks.md, "Payer"): durable voucher production on one core — <see cref="PayerChannel.SignNextAsync"/>
/// (EIP-712 hash, libsecp256k1 sign, group-committed SQLite write with <c>synchronous=FULL</c>) — against the raw
/// libsecp256k1 sign rate timed in slices alternating with the run's slices in the same pinned process, as a ratio.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- payer
/// </summary>
internal static class PayerBenchmarks
{
    public const string ChildMode = "payer-child";
    private const int Runs = 9;
    private const int Slices = 10;
    private const int VouchersPerSlice = 2_000;
    private static readonly TimeSpan RawSlice = TimeSpan.FromMilliseconds(100);
    private const int Window = 4_096;
    private static readonly Address ContractAddress = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    /// <summary>The parent: starts the child pinned to one CPU and prints the Markdown table.</summary>
    public static async Task RunAsync()
    {
        var cpu = Environment.ProcessorCount - 1;
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", cpu.ToString(CultureInfo.InvariantCulture) }.Concat(EngineThroughput.SelfCommand()).Append(ChildMode))
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException("Could not start taskset.");
        var results = new List<(string Variant, double Raw, double Ours, double Batch)>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Split(' ') is ["RESULT", var variant, var raw, var ours, var batch])
            {
                results.Add((variant, Parse(raw), Parse(ours), Parse(batch)));
            }
            else
            {
                Console.Error.WriteLine("  [payer] " + line);
            }
        }

        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The pinned payer benchmark exited with code {child.ExitCode}.");
        }

        Console.WriteLine("| Figure | Median | Target | Raw sign /s (median of the paired runs) | Ratio to raw sign (median of per-run ratios) | Runs |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var (variant, label, target) in new[]
        {
            ("sqlite-1", "1 channel, SQLite (WAL, synchronous=FULL)", "≥ 90 %"),
            ("sqlite-100", "100 channels round-robin, SQLite (WAL, synchronous=FULL)", "≥ 90 %"),
            ("none-1", "1 channel, no store (sign + engine only, for reference)", "—"),
        })
        {
            var runs = results.Where(r => r.Variant == variant).ToList();
            var ratios = runs.Select(r => r.Ours / r.Raw).ToList();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| durable voucher production, one core, {label}: vouchers/s (mean batch {Stats.Median(runs.Select(r => r.Batch)):F0}) | {Stats.Median(runs.Select(r => r.Ours)):N0} | {target} | {Stats.Median(runs.Select(r => r.Raw)):N0} | {Stats.Median(ratios):P0} (runs {ratios.Min():P0}–{ratios.Max():P0}) | {runs.Count} |"));
        }
    }

    /// <summary>The child, already pinned by its parent.</summary>
    public static async Task RunChildAsync()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pinned: {Environment.ProcessorCount} CPU visible; {Slices} slices of {VouchersPerSlice:N0} vouchers per run, {Window} in flight"));
        using var raw = new RawSignRate();
        using var key = PrivateKey.Create(Keccak256.HashUtf8("payer benchmark key"));
        using var http = new HttpClient();
        var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:9/"), ChainId = 31337 });
        var contract = new ChannelContract(rpc, ContractAddress);
        var directory = Directory.CreateTempSubdirectory("payer-bench-").FullName;
        try
        {
            foreach (var (variant, channels) in new[] { ("none-1", 1), ("sqlite-1", 1), ("sqlite-100", 100) })
            {
                for (var run = 0; run <= Runs; run++) // run 0 warms up and is not reported
                {
                    var inner = variant.StartsWith("sqlite", StringComparison.Ordinal)
                        ? new SqlitePayerStore(Path.Combine(directory, $"{variant}-{run}.db"))
                        : null;
                    var (rawRate, rate, batch) = await RunAsync(raw, contract, rpc, key, new CountingPayerStore(inner), channels);
                    if (inner is not null)
                    {
                        await inner.DisposeAsync();
                    }

                    if (run > 0)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {variant} {rawRate:F0} {rate:F0} {batch:F1}"));
                    }
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// One run: <see cref="Slices"/> alternating slices — raw signing for <see cref="RawSlice"/>, then
    /// <see cref="VouchersPerSlice"/> durable vouchers — so the two rates see the same machine load within a fraction
    /// of a second of each other (this machine is shared). Rates are totals over all slices.
    /// </summary>
    private static async Task<(double Raw, double Ours, double Batch)> RunAsync(
        RawSignRate raw, ChannelContract contract, EthereumRpcClient rpc, PrivateKey key, CountingPayerStore store, int channelCount)
    {
        await using var client = new PayerClient(contract, rpc, key, store);
        var channels = new PayerChannel[channelCount];
        for (var i = 0; i < channelCount; i++)
        {
            var parameters = new ChannelParameters(key.Address, Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), Address.Zero, 3600, (ulong)i + 1);
            var record = new PayerChannelRecord(new ChannelKey(31337, ContractAddress, parameters.Id), parameters, BigInteger.One << 80, 0, null, PayerChannelStatus.Open);
            await store.SaveChannelAsync(record);
            channels[i] = (await client.GetChannelAsync(parameters.Id))!;
        }

        await channels[0].SignNextAsync(BigInteger.One); // opens the writer's connection
        Interlocked.Exchange(ref store.Batches, 0);
        var rawRates = new List<double>();
        var oursTime = TimeSpan.Zero;
        var pending = new Queue<Task>(Window);
        var next = 0;
        for (var slice = 0; slice < Slices; slice++)
        {
            rawRates.Add(raw.Measure(RawSlice));
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < VouchersPerSlice; i++)
            {
                if (pending.Count == Window)
                {
                    await pending.Dequeue();
                }

                pending.Enqueue(channels[next++ % channelCount].SignNextAsync(BigInteger.One));
            }

            while (pending.Count > 0)
            {
                await pending.Dequeue();
            }

            oursTime += Stopwatch.GetElapsedTime(start);
        }

        var total = Slices * VouchersPerSlice;
        var signed = channels.Aggregate(BigInteger.Zero, (sum, c) => sum + c.Signed);
        if (signed != total + 1)
        {
            throw new InvalidOperationException($"The channels signed {signed} in total, expected {total + 1}.");
        }

        return (rawRates.Average(), total / oursTime.TotalSeconds, total / (double)Math.Max(1, Interlocked.Read(ref store.Batches)));
    }

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}

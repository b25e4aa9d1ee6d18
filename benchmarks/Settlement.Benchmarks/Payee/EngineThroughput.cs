using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// Figure 1: <see cref="PayeeEngine.SubmitAsync"/> (verify, reserve, group-commit durable write, outcome) over 1,000
/// channels with pre-signed vouchers, on one core. The measuring process is pinned to one CPU with <c>taskset</c>
/// (a child of the <c>payee</c> mode), so the engine, its writer loop, SQLite and the raw recover baseline all share
/// that core; PostgreSQL's server runs outside the pin (it would be another machine in production). One submitting
/// loop keeps <see cref="Window"/> vouchers in flight, so the writer always finds a full batch queued.
/// </summary>
internal static class EngineThroughput
{
    public const string ChildMode = "payee-engine";
    public const int Channels = 1_000;
    public const int VouchersPerChannel = 40;
    public const int Window = 2_048;

    /// <summary>Runs the child pinned to one CPU and returns its per-run lines (store, raw/s, ours/s, mean batch).</summary>
    public static async Task<List<(string Store, double Raw, double Ours, double Batch)>> RunPinnedAsync(int runs, string? postgres)
    {
        var cpu = Environment.ProcessorCount - 1;
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", cpu.ToString(CultureInfo.InvariantCulture) }.Concat(SelfCommand()).Concat([ChildMode, runs.ToString(CultureInfo.InvariantCulture), postgres ?? "-"]))
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException("Could not start taskset.");
        var results = new List<(string, double, double, double)>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["RESULT", var store, var raw, var ours, var batch])
            {
                results.Add((store, Parse(raw), Parse(ours), Parse(batch)));
            }
            else
            {
                Console.Error.WriteLine("  [engine] " + line);
            }
        }

        await child.WaitForExitAsync();
        return child.ExitCode == 0 ? results : throw new InvalidOperationException($"The pinned engine benchmark exited with code {child.ExitCode}.");
    }

    /// <summary>The child: <c>payee-engine RUNS POSTGRES|-</c>, already pinned by its parent.</summary>
    public static async Task RunChildAsync(string[] args)
    {
        var runs = int.Parse(args[1], CultureInfo.InvariantCulture);
        var postgres = args[2] == "-" ? null : args[2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pinned: {Environment.ProcessorCount} CPU visible; signing {Channels * VouchersPerChannel:N0} vouchers"));
        using var channels = new BenchChannels(Channels, payers: 100);
        var vouchers = channels.Sign(VouchersPerChannel);
        using var raw = new RawRecoverRate();
        var directory = Directory.CreateTempSubdirectory("payee-bench-").FullName;
        try
        {
            foreach (var store in postgres is null ? new[] { "discard", "sqlite" } : ["discard", "sqlite", "postgres"])
            {
                // Run 0 warms the JIT, the file system and the database; it is not reported.
                for (var run = 0; run <= runs; run++)
                {
                    var rawFirst = run % 2 == 0;
                    var rawRate = rawFirst ? raw.Measure(TimeSpan.FromMilliseconds(500)) : 0;
                    var (rate, batch) = store switch
                    {
                        "discard" => await RunAsync(new DiscardingVoucherStore(), channels, vouchers),
                        "sqlite" => await RunSqliteAsync(channels, vouchers, Path.Combine(directory, $"run{run}.db")),
                        _ => await RunPostgresAsync(channels, vouchers, postgres!, run),
                    };
                    if (!rawFirst)
                    {
                        rawRate = raw.Measure(TimeSpan.FromMilliseconds(500));
                    }

                    if (run > 0)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {store} {rawRate:F0} {rate:F0} {batch:F1}"));
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(double Rate, double Batch)> RunSqliteAsync(BenchChannels channels, Channels.Payee.VoucherSubmission[] vouchers, string path)
    {
        var store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = path });
        return await RunAsync(store, channels, vouchers);
    }

    private static async Task<(double Rate, double Batch)> RunPostgresAsync(BenchChannels channels, Channels.Payee.VoucherSubmission[] vouchers, string server, int run)
    {
        var database = string.Create(CultureInfo.InvariantCulture, $"bench_{Environment.ProcessId}_{run}");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);
        return await RunAsync(new PostgreSqlVoucherStore(dataSource), channels, vouchers);
    }

    /// <summary>A fresh engine on <paramref name="store"/>; every channel tracked first (untimed), then every voucher submitted (timed).</summary>
    private static async Task<(double Rate, double Batch)> RunAsync(IVoucherStore store, BenchChannels channels, Channels.Payee.VoucherSubmission[] vouchers)
    {
        await using var engine = new PayeeEngine(Options.Create(channels.Options()), store, channels);
        await engine.StartAsync();
        await Parallel.ForEachAsync(channels.Keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
        {
            if (!await engine.TrackAsync(key, ct))
            {
                throw new InvalidOperationException($"Channel {key} was not tracked.");
            }
        });

        using var batches = new StoreBatchListener();
        var pending = new ValueTask<VoucherOutcome>[Window];
        var accepted = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < vouchers.Length; i++)
        {
            var slot = i % Window;
            if (i >= Window && await pending[slot] is VoucherAccepted)
            {
                accepted++;
            }

            pending[slot] = engine.SubmitAsync(vouchers[i]);
        }

        for (var i = Math.Max(0, vouchers.Length - Window); i < vouchers.Length; i++)
        {
            if (await pending[i % Window] is VoucherAccepted)
            {
                accepted++;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        if (accepted != vouchers.Length)
        {
            throw new InvalidOperationException($"Only {accepted} of {vouchers.Length} vouchers were accepted.");
        }

        return (vouchers.Length / elapsed.TotalSeconds, batches.MeanSize);
    }

    internal static IEnumerable<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(EngineThroughput).Assembly.Location]
            : [process];
    }

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}

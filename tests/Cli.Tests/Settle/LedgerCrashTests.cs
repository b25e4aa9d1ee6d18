using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Settlement.LedgerCrashWriter;
using Settlement.Service.Storage.Sqlite;
using Xunit.Abstractions;

namespace Settlement.Cli.Tests.Settle;

/// <summary>
/// The ledger's durability promise with real processes: a writer (tests/LedgerCrashWriter) books batches into a SQLite
/// ledger and prints "acked N" after each commit; it is killed with SIGKILL at random moments (odd runs from start-up
/// on, even runs after their first commit, so batches are acknowledged however slow start-up is), restarted from the
/// highest acknowledged id (so a batch that committed unseen is re-sent and must come back "exists"), and at the end
/// every acknowledged transfer is stored, each exactly once (the balances equal those recomputed from ids 1..N), debits
/// equal credits, and <c>l2pay settle verify-journal</c> passes.
/// </summary>
[Trait("Category", "Crash")]
public sealed class LedgerCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 20;
    private const int BatchSize = 50;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("l2pay-ledger-crash-");

    private string Db => Path.Combine(_dir.FullName, "ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Writer_KilledTwentyTimes_EveryAcknowledgedTransferStoredOnceAndJournalVerifies()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        UInt128 highestAcked = 0;
        var killedWhileRunning = 0;
        for (var iteration = 1; iteration <= Iterations; iteration++)
        {
            using var writer = StartWriter(highestAcked + 1);
            var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var lines = ReadAcksAsync(writer, firstAck);

            if (iteration % 2 == 1)
            {
                // Anywhere from start-up (runtime, migration) to a few batches in.
                await Task.Delay(random.Next(50, 600));
            }
            else
            {
                // Mid-stream: after the first commit of this run, however slow start-up is on a loaded machine, so
                // batches are acknowledged in every run of the test.
                await Task.WhenAny(firstAck.Task, lines).WaitAsync(TimeSpan.FromMinutes(2));
                await Task.Delay(random.Next(0, 300));
            }

            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
                killedWhileRunning++;
            }

            await writer.WaitForExitAsync();
            var acked = await lines;
            writer.ExitCode.ShouldBe(137, $"iteration {iteration} (seed {seed}): the writer must only stop by SIGKILL");
            if (acked > highestAcked)
            {
                highestAcked = acked;
            }
        }

        killedWhileRunning.ShouldBe(Iterations);
        highestAcked.ShouldBeGreaterThan(UInt128.Zero, $"seed {seed}: no batch was acknowledged in {Iterations} runs");

        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Db });
        var upTo = highestAcked + BatchSize; // the batch in flight at the last kill may have committed unseen
        var ids = Enumerable.Range(1, (int)upTo).Select(i => (UInt128)i).ToList();
        var stored = (await store.LookupTransfersAsync(ids)).Select(t => t.Transfer.Id).ToList();
        var n = (UInt128)stored.Count;
        stored.ShouldBe(ids.Take(stored.Count).ToList(), $"seed {seed}: the stored ids are 1..N with no gap");
        n.ShouldBeGreaterThanOrEqualTo(highestAcked, $"seed {seed}: an acknowledged transfer is missing");
        (n == highestAcked || n == upTo).ShouldBeTrue($"seed {seed}: {n} stored, {highestAcked} acknowledged: a partial batch");

        // Exactly once: a transfer applied twice would move its accounts' balances twice.
        var expected = new Dictionary<UInt128, (UInt128 Debits, UInt128 Credits)>();
        for (UInt128 id = 1; id <= n; id++)
        {
            var t = Deterministic.Transfer(id);
            expected[t.DebitAccountId] = (expected.GetValueOrDefault(t.DebitAccountId).Debits + t.Amount, expected.GetValueOrDefault(t.DebitAccountId).Credits);
            expected[t.CreditAccountId] = (expected.GetValueOrDefault(t.CreditAccountId).Debits, expected.GetValueOrDefault(t.CreditAccountId).Credits + t.Amount);
        }

        var accounts = await store.ListAccountsAsync();
        accounts.Count.ShouldBe(Deterministic.Accounts);
        foreach (var a in accounts)
        {
            (a.DebitsPosted, a.CreditsPosted).ShouldBe(expected.GetValueOrDefault(a.Account.Id), $"seed {seed}: account {a.Account.Id}");
            (a.DebitsPending, a.CreditsPending).ShouldBe((UInt128.Zero, UInt128.Zero));
        }

        accounts.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPosted).ShouldBe(accounts.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPosted));
        output.WriteLine($"seed {seed}: {Iterations} kills, {highestAcked} transfers acknowledged, {n} stored");
        var verify = await L2pay.RunAsync("settle", "verify-journal", "--db", Db);
        verify.ExitCode.ShouldBe(0, verify.Stdout + verify.Stderr);
    }

    private Process StartWriter(UInt128 firstId)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Settlement.LedgerCrashWriter.dll"));
        start.ArgumentList.Add(Db);
        start.ArgumentList.Add(firstId.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(BatchSize.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>The highest id the writer acknowledged (printed after its commit) before it died; <paramref name="firstAck"/> completes at the first.</summary>
    private static async Task<UInt128> ReadAcksAsync(Process writer, TaskCompletionSource firstAck)
    {
        UInt128 highest = 0;
        while (await writer.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("acked ", StringComparison.Ordinal))
            {
                highest = UInt128.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
                firstAck.TrySetResult();
            }
        }

        return highest;
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;
using Settlement.Testing;

namespace Settlement.PayeeService.IntegrationTests.Crash;

/// <summary>
/// The durability promise end to end: an ACK "accepted" means the voucher is on disk. The real <c>l2pay serve payee</c>
/// process is killed with SIGKILL at a random moment while a payer streams to it, restarted on the same SQLite file,
/// and must hold at least the highest amount it acknowledged; the payer then continues from what is stored.
/// </summary>
[Collection(PayeeCollection.Name)]
[Trait("Category", "Crash")]
public sealed class CliCrashTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private const int Iterations = 100;
    private const int Window = 64;

    [Fact]
    public async Task ServePayee_KilledMidStreamAHundredTimes_NoAcknowledgedVoucherLost()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000_000);
        var folder = Directory.CreateTempSubdirectory("payee-crash-");
        var database = Path.Combine(folder.FullName, "payee.db");
        var keyFile = Path.Combine(folder.FullName, "payee.key");
        await File.WriteAllTextAsync(keyFile, DevAccounts.PrivateKeys[2] + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var total = Stopwatch.StartNew();
        BigInteger highestAcked = 0;
        BigInteger next = 1;
        long ackedVouchers = 0;
        long refused = 0;
        var restarts = TimeSpan.Zero;
        BigInteger maxLost = 0;
        try
        {
            for (var iteration = 1; iteration <= Iterations; iteration++)
            {
                // What a restarted payee will read: the file as the killed process left it.
                var onDisk = await NewestOnDiskAsync(database, channel);
                maxLost = BigInteger.Max(maxLost, highestAcked - onDisk);
                onDisk.ShouldBeGreaterThanOrEqualTo(highestAcked, $"iteration {iteration} (seed {seed}): acknowledged {highestAcked}, on disk {onDisk}");

                var started = Stopwatch.StartNew();
                using var payee = await CliPayeeProcess.StartAsync(database, fixture.Node.RpcUrl, fixture.Contract, keyFile, confirmations: 1);
                restarts += started.Elapsed;
                (await StoredThroughStatusAsync(payee, channel)).ShouldBe(onDisk);

                // Continue the stream from what is stored; kill -9 somewhere in the next few to 100 ms.
                next = BigInteger.Max(next, onDisk + 1);
                var run = await StreamUntilKilledAsync(payee, channel, next, TimeSpan.FromMilliseconds(random.Next(3, 100)));
                next = run.Next;
                highestAcked = BigInteger.Max(highestAcked, run.HighestAccepted);
                ackedVouchers += run.Accepted;
                refused += run.Refused;
            }

            var final = await NewestOnDiskAsync(database, channel);
            maxLost = BigInteger.Max(maxLost, highestAcked - final);
            output.WriteLine(
                $"crash test (seed {seed}): {Iterations} kill -9 iterations, {ackedVouchers} vouchers acknowledged, highest acknowledged {highestAcked}, "
                + $"stored {final}, max lost {maxLost}, refused {refused}, restarts {restarts.TotalSeconds:F1} s, total {total.Elapsed.TotalSeconds:F1} s");
            final.ShouldBeGreaterThanOrEqualTo(highestAcked);
            maxLost.ShouldBe(BigInteger.Zero);
            refused.ShouldBe(0);
            ackedVouchers.ShouldBeGreaterThan(Iterations);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private async Task<VoucherPump> StreamUntilKilledAsync(CliPayeeProcess payee, TestChannel channel, BigInteger from, TimeSpan killAfter)
    {
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        var killer = Task.Run(async () =>
        {
            await Task.Delay(killAfter);
            payee.KillHard();
        });
        return await VoucherPump.RunAsync(client, channel, from, Window, killer);
    }

    private static async Task<BigInteger> NewestOnDiskAsync(string database, TestChannel channel)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        var store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = database });
        var newest = await store.GetNewestAsync(channel.Key);
        SqliteConnection.ClearAllPools();
        return newest?.Cumulative ?? 0;
    }

    private static async Task<BigInteger> StoredThroughStatusAsync(CliPayeeProcess payee, TestChannel channel)
    {
        using var http = new HttpClient { BaseAddress = payee.BaseUrl };
        var key = channel.Key;
        var body = await http.GetFromJsonAsync<JsonElement>(new Uri($"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}", UriKind.Relative));
        return RunningPayee.NewestInStatus(body);
    }
}

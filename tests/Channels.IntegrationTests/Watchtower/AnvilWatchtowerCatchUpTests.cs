using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Testing;
using Xunit.Abstractions;

namespace Settlement.Channels.IntegrationTests.Watchtower;

/// <summary>Catch-up over many missed blocks, in bounded ranges (the figure in docs/watchtower.md comes from here).</summary>
public sealed class AnvilWatchtowerCatchUpTests(AnvilNode node, ITestOutputHelper output) : IClassFixture<AnvilNode>
{
    private const int MissedBlocks = 2_000;

    [Fact]
    public async Task Catchup_2000MissedBlocks_ScansEveryBlockInRangesAndAnswersTheClose()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        var options = TowerHarness.Options(confirmations: 2, maxBlockRange: 250);
        using (var tower = TowerHarness.Start(w, db.Path, options))
        {
            await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 700));
            await tower.Follower.PollOnceAsync();
        }

        var stoppedAt = await node.BlockNumberAsync();
        await node.RequestAsync("anvil_mine", "0x" + (MissedBlocks / 2).ToString("x", CultureInfo.InvariantCulture));
        await w.Channels.StartCloseAsync(w.Payer, c);
        await node.RequestAsync("anvil_mine", "0x" + (MissedBlocks / 2).ToString("x", CultureInfo.InvariantCulture));
        var target = await node.BlockNumberAsync() - 2;

        using var restarted = TowerHarness.Start(w, db.Path, options);
        var watch = Stopwatch.StartNew();
        var poll = await restarted.Follower.PollOnceAsync();
        watch.Stop();

        poll.BlocksScanned.ShouldBe(target - (stoppedAt - 2));
        poll.Checkpoint!.Number.ShouldBe(target);
        poll.Sent.ShouldBe(1);
        await restarted.MinedAsync(w, c.Id);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(700));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"caught up {poll.BlocksScanned} blocks in {watch.Elapsed.TotalMilliseconds:F0} ms: {poll.BlocksScanned / watch.Elapsed.TotalSeconds:F0} blocks/s (ranges of {options.MaxBlockRange}, incl. the redeem)"));
    }
}

using System.Numerics;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Watchtower;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Watchtower;

/// <summary>Reorgs of the blocks the watchtower read, made on Anvil with <c>evm_snapshot</c> / <c>evm_revert</c>.</summary>
public sealed class AnvilWatchtowerReorgTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Fact]
    public async Task Reorg_OwnRedeemReplaced_RewindsResubmitsAndPayeeIsPaid()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 500));
        using var tower = TowerHarness.Start(w, db.Path, TowerHarness.Options(confirmations: 0, settle: true));
        await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900));
        await tower.Follower.PollOnceAsync();

        await w.Channels.StartCloseAsync(w.Payer, c);
        var snapshot = await node.SnapshotAsync();
        (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(1);
        await tower.MinedAsync(w, c.Id);
        await node.MineAsync(2);
        var read = await tower.Follower.PollOnceAsync();
        read.Sent.ShouldBe(0);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(900));

        // Replace every block after the close, the watchtower's redeem included, by a longer branch without it.
        (await node.RevertAsync(snapshot)).ShouldBeTrue();
        await node.MineAsync(5);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(500));
        var stored = (await tower.Store.GetDisputeAsync(c.Id, DisputeKind.Redeem)).ShouldNotBeNull();
        (await tower.Chain.GetTransactionStatusAsync(stored.TransactionHash)).ShouldBe(TowerTransactionStatus.Unknown);

        var afterReorg = await tower.Follower.PollOnceAsync();

        afterReorg.Reorged.ShouldBeTrue();
        (afterReorg.Sent + afterReorg.Resent).ShouldBe(1);
        await tower.MinedAsync(w, c.Id);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(900));
        tower.Metrics.Snapshot()["reorgs"].ShouldBe(1);
        (await tower.Follower.PollOnceAsync()).ShouldSatisfyAllConditions(p => p.Reorged.ShouldBeFalse(), p => p.Sent.ShouldBe(0), p => p.Resent.ShouldBe(0));

        await w.PassChallengePeriodAsync();
        (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(1);
        await tower.MinedAsync(w, c.Id, DisputeKind.Settle);
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(900));
    }

    [Fact]
    public async Task Reorg_CheckpointReplaced_RewindsToForkPointAndReadsTheNewClose()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        using var tower = TowerHarness.Start(w, db.Path, TowerHarness.Options(confirmations: 0));
        await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 900));
        var snapshot = await node.SnapshotAsync();
        await node.MineAsync(3);
        var before = (await tower.Follower.PollOnceAsync()).Checkpoint.ShouldNotBeNull();

        // The branch the watchtower read is replaced by one where the payer closes.
        (await node.RevertAsync(snapshot)).ShouldBeTrue();
        await w.Channels.StartCloseAsync(w.Payer, c);
        await node.MineAsync(3);
        var poll = await tower.Follower.PollOnceAsync();

        poll.Reorged.ShouldBeTrue();
        poll.Checkpoint!.Number.ShouldBeGreaterThanOrEqualTo(before.Number);
        poll.Sent.ShouldBe(1);
        await tower.MinedAsync(w, c.Id);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(900));
    }
}

using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Watchtower;

namespace Settlement.Channels.Tests.Watchtower;

public sealed class DisputeRulesTests
{
    private const ulong Deadline = 10_000;
    private static readonly BigInteger Held = 900;

    private static ChannelState Closing(BigInteger redeemed) => new(true, 1000, redeemed, 0, 0, Deadline);

    [Fact]
    public void Decide_Settled_Finish() =>
        DisputeRules.Decide(Held, new ChannelState(false, 0, 0, 0, 0, 0), 1, null, settleAfterDeadline: true).ShouldBe(DutyAction.Finish);

    [Fact]
    public void Decide_NullState_Throws() =>
        Should.Throw<ArgumentNullException>(() => DisputeRules.Decide(Held, null!, 1, null, false)).ParamName.ShouldBe("state");

    [Fact]
    public void Decide_Open_None() =>
        DisputeRules.Decide(Held, new ChannelState(true, 1000, 500, 0, 0, 0), 1, null, false).ShouldBe(DutyAction.None);

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(899)]
    public void Decide_ClosingBelowHeldWindowOpen_Redeem(long redeemed) =>
        DisputeRules.Decide(Held, Closing(redeemed), Deadline - 1, null, false).ShouldBe(DutyAction.Redeem);

    [Fact]
    public void Decide_LatestBlockAtDeadline_MissedBecauseTheNextBlockIsLater()
    {
        DisputeRules.WindowOpen(Deadline, Deadline).ShouldBeFalse();
        DisputeRules.Decide(Held, Closing(500), Deadline, null, false).ShouldBe(DutyAction.Missed);
        DisputeRules.Decide(Held, Closing(500), Deadline + 100, new PendingTransaction(DisputeKind.Redeem, Held, TowerTransactionStatus.Pending), true)
            .ShouldBe(DutyAction.Missed);
    }

    [Theory]
    [InlineData(900)]
    [InlineData(950)]
    public void Decide_AlreadyRedeemedWindowOpen_NothingSent(long redeemed) =>
        DisputeRules.Decide(Held, Closing(redeemed), Deadline - 1, new PendingTransaction(DisputeKind.Redeem, Held, TowerTransactionStatus.Mined), true)
            .ShouldBe(DutyAction.None);

    [Theory]
    [InlineData(TowerTransactionStatus.Pending, DutyAction.WaitForPending)]
    [InlineData(TowerTransactionStatus.Mined, DutyAction.WaitForPending)]
    [InlineData(TowerTransactionStatus.Unknown, DutyAction.Resend)]
    [InlineData(TowerTransactionStatus.Reverted, DutyAction.Redeem)]
    public void Decide_OwnRedeemOfHeldAmount_FollowsItsStatus(TowerTransactionStatus status, DutyAction expected) =>
        DisputeRules.Decide(Held, Closing(500), Deadline - 1, new PendingTransaction(DisputeKind.Redeem, Held, status), false).ShouldBe(expected);

    [Fact]
    public void Decide_PendingRedeemOfOlderVoucher_RedeemsTheNewest() =>
        DisputeRules.Decide(Held, Closing(500), Deadline - 1, new PendingTransaction(DisputeKind.Redeem, 700, TowerTransactionStatus.Pending), false)
            .ShouldBe(DutyAction.Redeem);

    [Fact]
    public void Decide_CoveredAfterDeadline_SettlesOnlyWhenConfigured()
    {
        DisputeRules.Decide(Held, Closing(900), Deadline, null, settleAfterDeadline: false).ShouldBe(DutyAction.None);
        DisputeRules.Decide(Held, Closing(900), Deadline, null, settleAfterDeadline: true).ShouldBe(DutyAction.Settle);
        DisputeRules.Decide(Held, Closing(900), Deadline, new PendingTransaction(DisputeKind.Settle, 0, TowerTransactionStatus.Pending), true)
            .ShouldBe(DutyAction.WaitForPending);
        DisputeRules.Decide(Held, Closing(900), Deadline, new PendingTransaction(DisputeKind.Settle, 0, TowerTransactionStatus.Unknown), true)
            .ShouldBe(DutyAction.Resend);
    }

    [Fact]
    public void Decide_SameInputsTwice_SameAnswer()
    {
        var pending = new PendingTransaction(DisputeKind.Redeem, Held, TowerTransactionStatus.Pending);
        DisputeRules.Decide(Held, Closing(500), 5, pending, false).ShouldBe(DisputeRules.Decide(Held, Closing(500), 5, pending, false));
    }
}

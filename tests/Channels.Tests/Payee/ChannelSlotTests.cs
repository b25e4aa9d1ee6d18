using System.Numerics;
using Settlement.Channels.Payee;

namespace Settlement.Channels.Tests.Payee;

public sealed class ChannelSlotTests : IDisposable
{
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    private ChannelSlot Slot(BigInteger durable, BigInteger? deposit = null, BigInteger? redeemed = null, ulong closeDeadline = 0, bool settled = false) =>
        new(_world.View(deposit, redeemed, closeDeadline, settled), 7, durable, _world.TypedData);

    private static TaskCompletionSource<PayeeCredit> Waiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public void Constructor_ReservedStartsAtTheDurableAmount()
    {
        var slot = Slot(300);

        slot.Durable.ShouldBe(300);
        slot.Reserved.ShouldBe(300);
        slot.ViewBlock.ShouldBe(7UL);
        slot.TypedData.ShouldBeSameAs(_world.TypedData);
        slot.Accepted.ShouldBe(0);
        slot.Agreement.ShouldBeNull();
        slot.AgreementDurable.ShouldBeFalse();
        slot.Refund.ShouldBeNull();
        slot.RefundInFlight.ShouldBeFalse();
    }

    [Theory]
    [InlineData(300, 0, 700)] // deposit 1,000 - paid 300
    [InlineData(300, 400, 600)] // the redeemed amount is above the stored voucher: it counts
    [InlineData(1_200, 0, 0)] // never negative
    [InlineData(1_000, 1_000, 0)]
    public void Credit_RemainingIsTheDepositLessTheLargerOfPaidAndRedeemed(int durable, int redeemed, int remaining)
    {
        var credit = Slot(durable, 1_000, redeemed).Credit();

        credit.ShouldBe(new PayeeCredit(_world.Key, durable, remaining, 1_000, true));
    }

    [Theory]
    [InlineData(0UL, false, true)]
    [InlineData(1UL, false, false)] // closing
    [InlineData(0UL, true, false)] // settled
    public void Credit_OpenOnlyWhileNeitherClosingNorSettled(ulong closeDeadline, bool settled, bool open) =>
        Slot(0, closeDeadline: closeDeadline, settled: settled).Credit().IsOpen.ShouldBe(open);

    [Fact]
    public void TakeReadyWaiters_None_Null() => Slot(0).TakeReadyWaiters().ShouldBeNull();

    [Fact]
    public void TakeReadyWaiters_OnlyThosePaidUpTo()
    {
        var slot = Slot(0);
        var at100 = Waiter();
        var at200 = Waiter();
        var at300 = Waiter();
        slot.AddWaiter(100, at100);
        slot.AddWaiter(200, at200);
        slot.AddWaiter(300, at300);

        slot.Durable = 199;
        slot.TakeReadyWaiters().ShouldBe([at100]);
        slot.Durable = 200; // exactly the amount waited for
        slot.TakeReadyWaiters().ShouldBe([at200]);
        slot.TakeReadyWaiters().ShouldBeNull(); // none ready, one still waiting: an empty take is null
        slot.Durable = 1_000;
        slot.TakeReadyWaiters().ShouldBe([at300]);
        slot.TakeReadyWaiters().ShouldBeNull(); // none left
    }

    [Theory]
    [InlineData(5UL, false)]
    [InlineData(0UL, true)]
    public void TakeReadyWaiters_ChannelStoppedExtendingCredit_EveryWaiter(ulong closeDeadline, bool settled)
    {
        var slot = Slot(0);
        var a = Waiter();
        var b = Waiter();
        slot.AddWaiter(100, a);
        slot.AddWaiter(200, b);

        slot.View = _world.View(closeDeadline: closeDeadline, settled: settled);

        slot.TakeReadyWaiters()!.ShouldBe([b, a], ignoreOrder: true);
        slot.TakeReadyWaiters().ShouldBeNull();
    }

    [Fact]
    public void RemoveWaiter_NotTakenAfterwards()
    {
        var slot = Slot(0);
        var kept = Waiter();
        var removed = Waiter();
        slot.RemoveWaiter(removed); // nothing registered yet: no-op
        slot.AddWaiter(100, kept);
        slot.AddWaiter(100, removed);

        slot.RemoveWaiter(removed);
        slot.Durable = 100;

        slot.TakeReadyWaiters().ShouldBe([kept]);
    }

    [Fact]
    public void Waiters_AfterAllTaken_NewOnesAreKept()
    {
        var slot = Slot(0);
        var first = Waiter();
        slot.AddWaiter(1, first);
        slot.Durable = 1;
        slot.TakeReadyWaiters().ShouldBe([first]);

        var second = Waiter();
        slot.AddWaiter(2, second);
        slot.TakeReadyWaiters().ShouldBeNull();
        slot.Durable = 2;
        slot.TakeReadyWaiters().ShouldBe([second]);
    }
}

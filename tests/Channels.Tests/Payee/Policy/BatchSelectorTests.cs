using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class BatchSelectorTests
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address PayeeAddress = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address TokenA = Address.Parse("0x00000000000000000000000000000000000000aa");
    private static readonly Address TokenB = Address.Parse("0x00000000000000000000000000000000000000bb");

    private static BatchItem Item(ulong nonce, BigInteger deposit, BigInteger redeemed, BigInteger? newest, ulong closeDeadline = 0, Address? token = null)
    {
        var parameters = new ChannelParameters(Payer, PayeeAddress, token ?? TokenA, 3600, nonce);
        var key = new ChannelKey(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), parameters.Id);
        var view = new PayeeChannelView(key, parameters, deposit, redeemed, 0, 0, closeDeadline, false);
        var voucher = newest is { } n ? new StoredVoucher(key, Payer, n, new byte[65], DateTimeOffset.UnixEpoch) : null;
        return new BatchItem(new PolicyChannel(view, voucher), PolicyReason.Requested);
    }

    [Theory]
    [InlineData(51_899L, 41_400L, 10_500L, 0)] // one gas short of one item
    [InlineData(51_900L, 41_400L, 10_500L, 1)] // exactly one
    [InlineData(62_399L, 41_400L, 10_500L, 1)]
    [InlineData(62_400L, 41_400L, 10_500L, 2)]
    [InlineData(1_000_000L, 41_400L, 10_500L, 91)] // (1,000,000 - 41,400) / 10,500 = 91.29
    [InlineData(1_000L, 0L, 0L, 0)] // no item gas: nothing (not a division by zero)
    [InlineData(1_000L, 0L, -1L, 0)]
    [InlineData(long.MaxValue, 0L, 1L, int.MaxValue)] // capped
    public void MaxItems_ItemsThatFitTheBudget(long budget, long baseGas, long itemGas, int expected) =>
        BatchSelector.MaxItems(budget, baseGas, itemGas).ShouldBe(expected);

    [Theory]
    [InlineData(0, 41_400L)]
    [InlineData(1, 51_900L)]
    [InlineData(91, 996_900L)]
    public void EstimateGas_BasePlusItems(int items, long expected) =>
        BatchSelector.EstimateGas(items, 41_400, 10_500).ShouldBe(expected);

    [Fact]
    public void Select_NothingNewToRedeem_NeitherBatchedNorDeferred()
    {
        var redeemedAlready = Item(1, 1_000, 500, 500);
        var noVoucher = Item(2, 1_000, 0, null);
        var olderVoucher = Item(3, 1_000, 500, 400);
        var one = Item(4, 1_000, 500, 501);

        var (batches, deferred) = BatchSelector.Select([redeemedAlready, noVoucher, olderVoucher, one], 1_000_000, 41_400, 10_500);

        var batch = batches.ShouldHaveSingleItem();
        batch.Items.ShouldBe([one]);
        batch.EstimatedGas.ShouldBe(51_900);
        deferred.ShouldBeEmpty();
    }

    [Fact]
    public void Select_MoreThanFit_TheMostUrgentPerTokenBatchedTheRestDeferredInOrder()
    {
        var a1 = Item(1, 1_000, 0, 100, token: TokenA); // 900 left
        var a2 = Item(2, 1_000, 0, 800, token: TokenA); // 200 left
        var a3 = Item(3, 1_000, 0, 500, token: TokenA); // 500 left
        var b1 = Item(4, 1_000, 0, 950, token: TokenB); // 50 left: the most urgent of all
        var b2 = Item(5, 1_000, 0, 10, token: TokenB);

        var (batches, deferred) = BatchSelector.Select([a1, a2, a3, b1, b2], 20_000, 0, 10_000);

        batches.Select(b => b.Token).ShouldBe([TokenB, TokenA]);
        batches[0].Items.ShouldBe([b1, b2]);
        batches[1].Items.ShouldBe([a2, a3]);
        batches.ShouldAllBe(b => b.EstimatedGas == 20_000);
        deferred.ShouldBe([a1]);
    }

    [Fact]
    public void Select_BudgetBelowOneItem_AllDeferredInUrgencyOrder()
    {
        var a = Item(1, 1_000, 0, 100);
        var b = Item(2, 1_000, 0, 900);

        var (batches, deferred) = BatchSelector.Select([a, b], 9_999, 0, 10_000);

        batches.ShouldBeEmpty();
        deferred.ShouldBe([b, a]);
    }

    [Fact]
    public void Order_ClosingFirstByDeadlineThenOpen()
    {
        var open = Item(1, 1_000, 0, 999); // 1 left: still after any closing channel
        var late = Item(2, 1_000, 0, 1, closeDeadline: 2_000);
        var soon = Item(3, 1_000, 0, 1, closeDeadline: 1_000);

        BatchSelector.Order([open, late, soon]).ShouldBe([soon, late, open]);
        BatchSelector.Order([soon, open, late]).ShouldBe([soon, late, open]);
    }

    [Fact]
    public void Order_OpenByShareOfDepositLeft_ComparedExactly()
    {
        // 1/3 left versus 3,333,333,333/10,000,000,000 left: a third is more, so the second is more urgent although it
        // holds more unredeemed value (the tie-breaker would order them the other way).
        var third = Item(1, 3, 0, 2);
        var almostThird = Item(2, 10_000_000_000, 0, 6_666_666_667);

        BatchSelector.Order([third, almostThird]).ShouldBe([almostThird, third]);
        BatchSelector.Order([almostThird, third]).ShouldBe([almostThird, third]);
    }

    [Fact]
    public void Order_ShareLeftCountsTheRedeemedAmountWhenAboveTheVoucher()
    {
        // Remaining = deposit - max(newest, redeemed).
        var redeemedMore = Item(1, 1_000, 900, 500); // 1,000 - 900 = 100 left (not 500: the redeemed amount counts)
        var voucherMore = Item(2, 1_000, 0, 700); // 1,000 - 700 = 300 left

        BatchSelector.Order([voucherMore, redeemedMore]).ShouldBe([redeemedMore, voucherMore]);
    }

    [Fact]
    public void Order_NoDeposit_CountsAsNothingLeft()
    {
        var empty = Item(1, 0, 0, 5);
        var full = Item(2, 1_000, 0, 1);

        BatchSelector.Order([full, empty]).ShouldBe([empty, full]);
    }

    [Fact]
    public void Order_SameShare_MoreUnredeemedFirst()
    {
        var less = Item(1, 1_000, 400, 500); // 500 left, 100 unredeemed
        var more = Item(2, 1_000, 0, 500); // 500 left, 500 unredeemed

        BatchSelector.Order([less, more]).ShouldBe([more, less]);
        BatchSelector.Order([more, less]).ShouldBe([more, less]);
    }

    [Fact]
    public void Order_FullTie_ByTokenThenChannelId()
    {
        var b = Item(1, 1_000, 0, 500, token: TokenB);
        var a = Item(2, 1_000, 0, 500, token: TokenA);
        var x = Item(3, 1_000, 0, 500, closeDeadline: 7);
        var y = Item(4, 1_000, 0, 500, closeDeadline: 7);
        var byId = new[] { x, y }.OrderBy(i => i.Channel.View.Key.ChannelId.ToString(), StringComparer.Ordinal).ToArray();

        BatchSelector.Order([b, a]).ShouldBe([a, b]);
        BatchSelector.Order([a, b]).ShouldBe([a, b]);
        BatchSelector.Order([y, x]).ShouldBe(byId);
        BatchSelector.Order([x, y]).ShouldBe(byId);
    }

    [Fact]
    public void Arguments_Null_Refused()
    {
        Should.Throw<ArgumentNullException>(() => BatchSelector.Order(null!)).ParamName.ShouldBe("items");
        Should.Throw<ArgumentNullException>(() => BatchSelector.Select(null!, 1, 0, 1)).ParamName.ShouldBe("candidates");
    }
}

using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>The refund part of the store contract (schema 4, <c>payee_refunds</c>): a chain of refunds per channel.</summary>
public abstract partial class VoucherStoreContract
{
    [Fact]
    public async Task SaveRefund_Chain_NewestIsTheTipAfterReopen()
    {
        var store = await OpenStoreAsync();
        var first = Refund(Key(), "a", 0, 300, 1);
        var second = Refund(Key(), "b", 300, 500, 2, seconds: 5);
        var elsewhere = Refund(Key(channel: 2), "a", 0, 70, 3);

        (await store.SaveRefundAsync(first)).ShouldBeTrue();
        (await store.SaveRefundAsync(second)).ShouldBeTrue();
        (await store.SaveRefundAsync(elsewhere)).ShouldBeTrue();

        var reopened = await OpenStoreAsync();
        ShouldMatch(await reopened.GetNewestRefundAsync(Key()), second);
        ShouldMatch(await reopened.GetRefundAsync(Key(), "a"), first);
        ShouldMatch(await reopened.GetRefundAsync(Key(channel: 2), "a"), elsewhere);
        (await reopened.GetRefundAsync(Key(), "zzz")).ShouldBeNull();
        (await reopened.GetNewestRefundAsync(Key(channel: 3))).ShouldBeNull();
        var newest = await reopened.ListNewestRefundsAsync();
        newest.Count.ShouldBe(2);
        ShouldMatch(newest.Single(r => r.Key == Key()), second);
        ShouldMatch(newest.Single(r => r.Key == Key(channel: 2)), elsewhere);
    }

    [Fact]
    public async Task SaveRefund_NotFromTheTipOrKeyReused_RefusedAndNothingStored()
    {
        var store = await OpenStoreAsync();
        await store.SaveRefundAsync(Refund(Key(), "a", 0, 300, 1));
        await store.SaveRefundAsync(Refund(Key(), "b", 300, 500, 2));

        (await store.SaveRefundAsync(Refund(Key(), "c", 300, 400, 3))).ShouldBeFalse();   // 300 was extended already
        (await store.SaveRefundAsync(Refund(Key(), "d", 0, 100, 4))).ShouldBeFalse();     // a second first refund
        (await store.SaveRefundAsync(Refund(Key(), "e", 450, 900, 5))).ShouldBeFalse();   // no refund of 450 exists
        (await store.SaveRefundAsync(Refund(Key(), "a", 500, 600, 6))).ShouldBeFalse();   // idempotency key used

        (await store.GetNewestRefundAsync(Key()))!.Cumulative.ShouldBe(new BigInteger(500));
        foreach (var id in new[] { "c", "d", "e" })
        {
            (await store.GetRefundAsync(Key(), id)).ShouldBeNull();
        }

        (await store.GetRefundAsync(Key(), "a"))!.Cumulative.ShouldBe(new BigInteger(300));
        (await store.SaveRefundAsync(Refund(Key(), "f", 500, 501, 7))).ShouldBeTrue();
    }

    [Fact]
    public async Task SaveRefund_TwoInstancesExtendTheSameRefund_ExactlyOneStored()
    {
        var one = await OpenStoreAsync();
        var two = await OpenStoreAsync();
        await one.SaveRefundAsync(Refund(Key(), "a", 0, 300, 1));

        var results = await Task.WhenAll(
            one.SaveRefundAsync(Refund(Key(), "x", 300, 400, 2)),
            two.SaveRefundAsync(Refund(Key(), "y", 300, 900, 3)));

        results.Count(r => r).ShouldBe(1);
        var newest = await one.GetNewestRefundAsync(Key());
        newest!.Cumulative.ShouldBe(results[0] ? new BigInteger(400) : new BigInteger(900));
        (await one.ListNewestRefundsAsync()).ShouldHaveSingleItem().Cumulative.ShouldBe(newest.Cumulative);
    }

    [Fact]
    public async Task SaveRefund_NotAboveItsPrevious_Throws()
    {
        var store = await OpenStoreAsync();

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.SaveRefundAsync(Refund(Key(), "a", 300, 300, 1)));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.SaveRefundAsync(Refund(Key(), "a", 0, StorageLimit, 1)));

        (await store.GetNewestRefundAsync(Key())).ShouldBeNull();
    }

    protected static IssuedRefund Refund(ChannelKey key, string id, BigInteger previous, BigInteger cumulative, byte tag, int seconds = 0)
    {
        var signature = new byte[65];
        signature.AsSpan(0, 64).Fill(tag);
        signature[64] = 27;
        return new IssuedRefund(key, id, previous, cumulative, signature, T0.AddSeconds(seconds));
    }

    private static void ShouldMatch(IssuedRefund? actual, IssuedRefund expected)
    {
        actual.ShouldNotBeNull();
        actual.Key.ShouldBe(expected.Key);
        actual.IdempotencyKey.ShouldBe(expected.IdempotencyKey);
        actual.Previous.ShouldBe(expected.Previous);
        actual.Cumulative.ShouldBe(expected.Cumulative);
        actual.Signature.ShouldBe(expected.Signature);
        actual.IssuedAt.ShouldBe(expected.IssuedAt);
        actual.IssuedAt.Offset.ShouldBe(TimeSpan.Zero);
    }
}

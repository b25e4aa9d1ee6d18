using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage;
using Settlement.Ethereum.Addresses;
using static Settlement.Channels.IntegrationTests.Storage.Shared.SharedRows;

namespace Settlement.Channels.IntegrationTests.Storage.Shared;

/// <summary>The batch semantics both stores share: validation, lock order, first highest, apply.</summary>
public sealed class VoucherBatchTests
{
    private static StoredVoucher Voucher(ChannelKey key, int amount, byte v = 27) =>
        new(key, Address.FromBytes(Repeat(0x22, 20)), amount, Signature(v), At);

    [Fact]
    public void Create_InvalidVoucher_NamesItsIndex()
    {
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => VoucherBatch.Create([Voucher(Key(), 1), Voucher(Key(), 0)]));

        ex.ParamName.ShouldBe("vouchers[1]");
    }

    [Fact]
    public void Create_Keys_OrderedByChainThenContractThenChannel()
    {
        ChannelKey[] expected = [Key(1, 0xaa, 0x01), Key(1, 0xaa, 0x02), Key(1, 0xbb, 0x01), Key(2, 0xaa, 0x01)];
        var batch = VoucherBatch.Create([.. expected.Reverse().Select(k => Voucher(k, 1)), Voucher(Key(1, 0xaa, 0x01), 2)]);

        batch.Keys.ShouldBe(expected);
    }

    [Fact]
    public void Create_Keys_ChainOrderedBeforeContract()
    {
        var batch = VoucherBatch.Create([Voucher(Key(2, 0xaa, 0x01), 1), Voucher(Key(1, 0xbb, 0x02), 1)]);

        batch.Keys.ShouldBe([Key(1, 0xbb, 0x02), Key(2, 0xaa, 0x01)]);
    }

    [Fact]
    public void FirstHighest_TiesKeepTheFirst_OtherChannelsIgnored()
    {
        var first = Voucher(Key(), 7);
        var batch = VoucherBatch.Create([Voucher(Key(), 5), Voucher(Key(1, 0xaa, 0x02), 9), first, Voucher(Key(), 7, 28), Voucher(Key(), 6)]);

        batch.FirstHighest(Key()).ShouldBeSameAs(first);
        batch.FirstHighest(Key(1, 0xaa, 0x02)).Cumulative.ShouldBe(new BigInteger(9));
    }

    [Fact]
    public void FirstHighest_UnknownChannel_ExactRefusal()
    {
        var batch = VoucherBatch.Create([Voucher(Key(), 5)]);

        var ex = Should.Throw<ArgumentException>(() => batch.FirstHighest(Key(3)));

        ex.Message.ShouldBe($"Channel {Key(3)} is not in the batch. (Parameter 'key')");
    }

    [Fact]
    public void Apply_Null_NamesTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => VoucherBatch.Create([Voucher(Key(), 5)]).Apply(null!)).ParamName.ShouldBe("stored");
    }

    [Fact]
    public void Apply_OverStored_InInputOrder()
    {
        var winner = Voucher(Key(), 8);
        var batch = VoucherBatch.Create([Voucher(Key(), 5), winner, Voucher(Key(), 6)]);

        var (results, winners) = batch.Apply(new Dictionary<ChannelKey, BigInteger> { [Key()] = 5 });

        results.ShouldBe([new VoucherWriteResult(false, 5, 5), new VoucherWriteResult(true, 5, 8), new VoucherWriteResult(false, 8, 8)]);
        winners.Keys.ShouldBe([Key()]);
        winners[Key()].ShouldBeSameAs(winner);
    }
}

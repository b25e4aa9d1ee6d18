using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Tests.Payee.Chain;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PolicySnapshotReaderTests : IDisposable
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address PayeeAddress = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address Stranger = Address.Parse("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    private readonly FakePayeeChainNode _node = new() { Head = 20 };
    private readonly InMemoryVoucherStore _store = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly PolicySnapshotReader _reader;

    public PolicySnapshotReaderTests() =>
        _reader = new PolicySnapshotReader(_store, Source(), _node.Contract, _node.Rpc, _clock);

    public void Dispose() => _node.Dispose();

    // Confirmations do not matter to the reader: it reads at the head.
    private ChainChannelViewSource Source() => new(_node.Contract, _node.Rpc, FakePayeeChainNode.ChainId, 5);

    private static ChannelParameters Parameters(ulong nonce, Address? payee = null) => new(Payer, payee ?? PayeeAddress, Address.Zero, 3600, nonce);

    private static ChannelKey KeyOf(ChannelParameters p, ulong chainId = FakePayeeChainNode.ChainId, Address? contract = null) =>
        new(chainId, contract ?? FakePayeeChainNode.ContractAddress, p.Id);

    private async Task<StoredVoucher> StoreVoucherAsync(ChannelKey key, BigInteger amount)
    {
        var voucher = new StoredVoucher(key, Payer, amount, new byte[65], _clock.GetUtcNow());
        (await _store.SaveNewestAsync([voucher])).ShouldHaveSingleItem();
        return voucher;
    }

    [Fact]
    public async Task Read_TheStoredChannelsOfThisPayeeChainAndContract_AtTheHeadWithTheHeadsTime()
    {
        var open = Parameters(1);
        _node.Open(open, 3, 1_000);
        _node.SetState(open.Id, 20, new ChannelState(true, 1_000, 100, 0, 0, 0)); // in the head block: not confirmed, still read
        var voucher = await StoreVoucherAsync(KeyOf(open), 400);
        var request = new CloseRequest(KeyOf(open), _clock.GetUtcNow().AddHours(-1));
        await _store.SaveCloseRequestAsync(request);

        var snapshot = await _reader.ReadAsync(PayeeAddress);

        var channel = snapshot.Channels.ShouldHaveSingleItem();
        channel.ShouldBe(new PolicyChannel(new PayeeChannelView(KeyOf(open), open, 1_000, 100, 0, 0, 0, false), voucher));
        snapshot.Now.ShouldBe(_clock.GetUtcNow());
        snapshot.ChainTime.ShouldBe(FakePayeeChainNode.TimestampOf(20));
        snapshot.CloseRequests.ShouldBe(new Dictionary<ChannelKey, CloseRequest> { [KeyOf(open)] = request });
    }

    [Fact]
    public async Task Read_ChannelsOfOtherDeploymentsOrPayeesOrSettledOrUnknown_LeftOut()
    {
        var otherChain = Parameters(2);
        var otherContract = Parameters(3);
        var settledInStore = Parameters(4);
        var settledOnChain = Parameters(5);
        var otherPayee = Parameters(6, Stranger);
        var neverOpened = Parameters(7);
        foreach (var p in new[] { otherChain, otherContract, settledInStore, settledOnChain, otherPayee })
        {
            _node.Open(p, 2, 1_000);
        }

        _node.SetState(settledOnChain.Id, 4, new ChannelState(false, 0, 0, 0, 0, 0));
        await StoreVoucherAsync(KeyOf(otherChain, chainId: 1), 10);
        await StoreVoucherAsync(KeyOf(otherContract, contract: Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512")), 10);
        await StoreVoucherAsync(KeyOf(settledInStore), 10);
        await _store.SaveChannelAsync(new StoredChannel(new PayeeChannelView(KeyOf(settledInStore), settledInStore, 0, 0, 0, 0, 0, true), 9));
        await StoreVoucherAsync(KeyOf(settledOnChain), 10);
        await StoreVoucherAsync(KeyOf(otherPayee), 10);
        await StoreVoucherAsync(KeyOf(neverOpened), 10);

        var snapshot = await _reader.ReadAsync(PayeeAddress);

        snapshot.Channels.ShouldBeEmpty();
        // Only the settled-on-chain, other-payee and never-opened channels were looked up (one opened-event query each).
        _node.Count("eth_getLogs").ShouldBe(3);
        _node.Count("eth_call").ShouldBe(2);
    }

    [Fact]
    public async Task Read_AStoredChannelNotSettled_IsRead()
    {
        var open = Parameters(1);
        _node.Open(open, 3, 1_000);
        await StoreVoucherAsync(KeyOf(open), 10);
        await _store.SaveChannelAsync(new StoredChannel(new PayeeChannelView(KeyOf(open), open, 1_000, 0, 0, 0, 0, false), 9));

        (await _reader.ReadAsync(PayeeAddress)).Channels.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Read_NodeWithoutTheHeadBlock_Throws()
    {
        _node.NoBlocks = true;

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => _reader.ReadAsync(PayeeAddress));
        ex.Message.ShouldBe("The chain node has no block 20.");
        var one = await Should.ThrowAsync<InvalidOperationException>(() => _reader.ReadOneAsync(KeyOf(Parameters(1))));
        one.Message.ShouldBe("The chain node has no block 20.");
    }

    [Fact]
    public async Task ReadOne_OpenChannel_WithItsNewestVoucherOrNone()
    {
        var withVoucher = Parameters(1);
        var without = Parameters(2);
        _node.Open(withVoucher, 3, 1_000);
        _node.Open(without, 3, 2_000);
        var voucher = await StoreVoucherAsync(KeyOf(withVoucher), 10);

        var (channel, chainTime) = await _reader.ReadOneAsync(KeyOf(withVoucher));
        var (bare, _) = await _reader.ReadOneAsync(KeyOf(without));

        channel.ShouldBe(new PolicyChannel(new PayeeChannelView(KeyOf(withVoucher), withVoucher, 1_000, 0, 0, 0, 0, false), voucher));
        chainTime.ShouldBe(FakePayeeChainNode.TimestampOf(20));
        bare!.Newest.ShouldBeNull();
        bare.View.PayerDeposit.ShouldBe(2_000);
    }

    [Fact]
    public async Task ReadOne_SettledOrNeverOpened_NullWithTheChainTime()
    {
        var settled = Parameters(1);
        _node.Open(settled, 3, 1_000);
        _node.SetState(settled.Id, 10, new ChannelState(false, 0, 0, 0, 0, 0));
        await StoreVoucherAsync(KeyOf(settled), 10);

        (await _reader.ReadOneAsync(KeyOf(settled))).ShouldBe((null, FakePayeeChainNode.TimestampOf(20)));
        (await _reader.ReadOneAsync(KeyOf(Parameters(9)))).ShouldBe((null, FakePayeeChainNode.TimestampOf(20)));
    }

    [Fact]
    public void Constructor_Nulls_Refused()
    {
        var source = Source();
        Should.Throw<ArgumentNullException>(() => new PolicySnapshotReader(null!, source, _node.Contract, _node.Rpc)).ParamName.ShouldBe("store");
        Should.Throw<ArgumentNullException>(() => new PolicySnapshotReader(_store, null!, _node.Contract, _node.Rpc)).ParamName.ShouldBe("chain");
        Should.Throw<ArgumentNullException>(() => new PolicySnapshotReader(_store, source, null!, _node.Rpc)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new PolicySnapshotReader(_store, source, _node.Contract, null!)).ParamName.ShouldBe("rpc");
    }
}

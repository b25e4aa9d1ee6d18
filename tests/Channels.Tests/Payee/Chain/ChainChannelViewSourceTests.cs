using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Storage;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Chain;

public sealed class ChainChannelViewSourceTests : IDisposable
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address PayeeAddress = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address Token = Address.Parse("0x00000000000000000000000000000000000000aa");
    private readonly FakePayeeChainNode _node = new();
    private readonly ChannelParameters _channel = new(Payer, PayeeAddress, Token, 3600, 7);
    private readonly ChannelKey _key;

    public ChainChannelViewSourceTests() => _key = new ChannelKey(FakePayeeChainNode.ChainId, FakePayeeChainNode.ContractAddress, _channel.Id);

    public void Dispose() => _node.Dispose();

    private ChainChannelViewSource Source(int confirmations) => new(_node.Contract, _node.Rpc, FakePayeeChainNode.ChainId, confirmations);

    [Theory]
    [InlineData(0UL, 0, 0UL)]
    [InlineData(2UL, 3, null)] // shorter than the confirmations
    [InlineData(3UL, 3, 0UL)] // exactly: block 0 is confirmed
    [InlineData(10UL, 3, 7UL)]
    public async Task GetConfirmedHeight_HeadMinusConfirmations(ulong head, int confirmations, ulong? expected)
    {
        _node.Head = head;
        var source = Source(confirmations);

        source.Confirmations.ShouldBe(confirmations);
        (await source.GetConfirmedHeightAsync()).ShouldBe(expected);
    }

    [Fact]
    public async Task GetConfirmed_OpenedAndToppedUp_TheStateAtTheConfirmedHeightOnly()
    {
        _node.Open(_channel, 2, 1_000);
        _node.SetState(_channel.Id, 5, new ChannelState(true, 1_000, 100, 40, 10, 0));
        _node.SetState(_channel.Id, 9, new ChannelState(true, 5_000, 100, 40, 10, 0)); // a top-up not yet buried
        _node.Head = 10;

        var read = await Source(3).GetConfirmedAsync(_key);

        read.ShouldBe(new StoredChannel(new PayeeChannelView(_key, _channel, 1_000, 100, 40, 10, 0, Settled: false), 7));
        _node.Requests.Where(r => r.Method == "eth_call").ShouldHaveSingleItem().Params.ShouldContain("\"0x7\"");
    }

    [Fact]
    public async Task GetConfirmed_OpenedButNoLongerExisting_SettledWithZeroAmounts()
    {
        _node.Open(_channel, 2, 1_000);
        _node.SetState(_channel.Id, 4, new ChannelState(false, 0, 0, 0, 0, 0));
        _node.Head = 6;

        var read = await Source(1).GetConfirmedAsync(_key);

        read.ShouldBe(new StoredChannel(new PayeeChannelView(_key, _channel, 0, 0, 0, 0, 0, Settled: true), 5));
    }

    [Fact]
    public async Task GetConfirmed_ClosingChannel_CarriesTheDeadline()
    {
        _node.Open(_channel, 1, 1_000);
        _node.SetState(_channel.Id, 2, new ChannelState(true, 1_000, 0, 0, 0, 1_800_003_600));
        _node.Head = 2;

        var read = await Source(0).GetConfirmedAsync(_key);

        read!.View.CloseDeadline.ShouldBe(1_800_003_600UL);
        read.View.IsClosing.ShouldBeTrue();
        read.BlockNumber.ShouldBe(2UL);
    }

    [Fact]
    public async Task GetConfirmed_OpenedAfterTheConfirmedHeight_Null()
    {
        _node.Open(_channel, 9, 1_000);
        _node.Head = 10;

        (await Source(3).GetConfirmedAsync(_key)).ShouldBeNull();
        _node.Count("eth_call").ShouldBe(0);
    }

    [Fact]
    public async Task GetConfirmed_NeverOpened_Null()
    {
        _node.Open(new ChannelParameters(Payer, PayeeAddress, Token, 3600, 8), 1, 1_000);
        _node.Head = 10;

        (await Source(0).GetConfirmedAsync(_key)).ShouldBeNull();
    }

    [Fact]
    public async Task GetConfirmed_ChainShorterThanConfirmations_NullWithoutReadingTheChannel()
    {
        _node.Open(_channel, 0, 1_000);
        _node.Head = 2;

        (await Source(3).GetConfirmedAsync(_key)).ShouldBeNull();
        _node.Count("eth_getLogs").ShouldBe(0);
    }

    [Fact]
    public async Task GetConfirmed_OtherChainOrContract_NullWithoutAnyRequest()
    {
        _node.Open(_channel, 0, 1_000);
        _node.Head = 5;
        var source = Source(0);

        (await source.GetConfirmedAsync(_key with { ChainId = 1 })).ShouldBeNull();
        (await source.GetConfirmedAsync(_key with { Contract = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512") })).ShouldBeNull();
        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Read_Twice_TheOpenedEventIsLookedUpOnce()
    {
        _node.Open(_channel, 1, 1_000);
        _node.Head = 5;
        var source = Source(0);

        await source.ReadAsync(_key, 3);
        _node.SetState(_channel.Id, 4, new ChannelState(true, 2_000, 0, 0, 0, 0));
        var second = await source.ReadAsync(_key, 4);

        second!.View.PayerDeposit.ShouldBe(2_000);
        second.BlockNumber.ShouldBe(4UL);
        _node.Count("eth_getLogs").ShouldBe(1);
        _node.Count("eth_call").ShouldBe(2);
    }

    [Fact]
    public void Constructor_Nulls_Refused()
    {
        Should.Throw<ArgumentNullException>(() => new ChainChannelViewSource(null!, _node.Rpc, 1, 0)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new ChainChannelViewSource(_node.Contract, null!, 1, 0)).ParamName.ShouldBe("rpc");
    }
}

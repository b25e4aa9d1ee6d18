using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Ethereum.Encoding;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="ConfirmedChannelReader"/> on a scripted node at the edges of its confirmation count: state read at
/// head − confirmations (none before that many blocks exist), events confirmed only with that many blocks after them
/// and a block hash still canonical.
/// </summary>
public sealed class ConfirmedChannelReaderTests
{
    private static readonly ChannelParameters Erc20 = V.Channel("erc20");

    private readonly ScriptedNode _node = new();

    private ConfirmedChannelReader Reader(int confirmations)
    {
        var rpc = _node.Client();
        return new ConfirmedChannelReader(new ChannelContract(rpc, V.Contract), rpc, confirmations);
    }

    [Theory]
    [InlineData(10, 3, "0x7")]
    [InlineData(6, 6, "0x0")]
    [InlineData(10, 0, "0xa")]
    public async Task GetConfirmedStateAsync_ReadAtHeadMinusConfirmations(int head, int confirmations, string block)
    {
        _node.Answer("eth_blockNumber", Quantity(head)).Answer("eth_call", V.Read("channelState").GetProperty("output").GetString());

        var state = await Reader(confirmations).GetConfirmedStateAsync(Erc20.Id);

        state.Exists.ShouldBeTrue();
        state.RedeemedByPayee.ShouldBe(V.Integer(V.Read("channelState").GetProperty("expected").GetProperty("redeemedByPayee")));
        var call = _node.ParamsOf("eth_call").ShouldHaveSingleItem()!;
        call[1]!.GetValue<string>().ShouldBe(block);
        call[0]!["data"]!.GetValue<string>().ShouldBe(V.Read("channelState").GetProperty("data").GetString());
    }

    [Fact]
    public async Task GetConfirmedStateAsync_FewerBlocksThanConfirmations_EmptyStateNoCall()
    {
        _node.Answer("eth_blockNumber", "0x5");

        var state = await Reader(6).GetConfirmedStateAsync(Erc20.Id);

        state.ShouldBe(new ChannelState(false, 0, 0, 0, 0, 0));
        _node.ParamsOf("eth_call").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(12, 3, true)]
    [InlineData(11, 3, false)]
    [InlineData(9, 0, true)]
    [InlineData(8, 0, false)]
    public async Task IsConfirmedAsync_EnoughBlocksAfterIt_OnlyThenTheHashChecked(int head, int confirmations, bool confirmed)
    {
        _node.Answer("eth_blockNumber", Quantity(head)).Answer("eth_getBlockByNumber", Block(9, 9));

        (await Reader(confirmations).IsConfirmedAsync(Opened())).ShouldBe(confirmed);

        _node.ParamsOf("eth_getBlockByNumber").Select(p => p![0]!.GetValue<string>()).ShouldBe(confirmed ? ["0x9"] : []);
    }

    [Fact]
    public async Task IsConfirmedAsync_BlockNowHasAnotherHashOrNone_False()
    {
        _node.Answer("eth_blockNumber", "0x20").Answer("eth_getBlockByNumber", Block(9, 0x10));
        (await Reader(2).IsConfirmedAsync(Opened())).ShouldBeFalse();

        _node.Answer("eth_getBlockByNumber", [null]);
        (await Reader(2).IsConfirmedAsync(Opened())).ShouldBeFalse();
    }

    [Fact]
    public async Task IsConfirmedAsync_RemovedOrWithoutPosition_FalseWithoutAsking()
    {
        var reader = Reader(0);

        (await reader.IsConfirmedAsync(Opened() with { Removed = true })).ShouldBeFalse();
        (await reader.IsConfirmedAsync(Opened() with { BlockNumber = null })).ShouldBeFalse();
        (await reader.IsConfirmedAsync(Opened() with { BlockHash = null })).ShouldBeFalse();
        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Arguments_Refused()
    {
        var rpc = _node.Client();
        var contract = new ChannelContract(rpc, V.Contract);
        Should.Throw<ArgumentOutOfRangeException>(() => new ConfirmedChannelReader(contract, rpc, -1)).ParamName.ShouldBe("confirmations");
        Should.Throw<ArgumentNullException>(() => new ConfirmedChannelReader(null!, rpc, 1)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new ConfirmedChannelReader(contract, null!, 1)).ParamName.ShouldBe("rpc");
        new ConfirmedChannelReader(contract, rpc, 0).Confirmations.ShouldBe(0);
        (await Should.ThrowAsync<ArgumentNullException>(() => Reader(1).IsConfirmedAsync(null!))).ParamName.ShouldBe("channelEvent");
    }

    private static ChannelOpenedEvent Opened()
    {
        ChannelContract.TryDecodeEvent(V.Log("channelOpened", blockNumber: 9), out var e).ShouldBeTrue();
        return (ChannelOpenedEvent)e;
    }

    private static string Quantity(int n) => Settlement.Ethereum.Rpc.Quantity.Format((ulong)n);

    private static JsonObject Block(ulong number, byte hashByte) => new()
    {
        ["number"] = Quantity((int)number),
        ["hash"] = Hex.Encode(Enumerable.Repeat(hashByte, 32).ToArray()),
        ["parentHash"] = Hex.Encode(new byte[32]),
        ["timestamp"] = "0x1",
    };
}

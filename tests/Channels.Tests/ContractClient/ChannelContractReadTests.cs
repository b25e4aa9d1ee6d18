using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// The reads of <see cref="ChannelContract"/> against a scripted node: the <c>eth_call</c> and <c>eth_getLogs</c>
/// requests it makes (call data ethers encoded, block tags, filters) and the values it decodes from return data and
/// logs ethers encoded.
/// </summary>
public sealed class ChannelContractReadTests
{
    private static readonly ChannelParameters Erc20 = V.Channel("erc20");

    private readonly ScriptedNode _node = new();

    private ChannelContract Contract() => new(_node.Client(), V.Contract);

    [Fact]
    public async Task GetStateAsync_Latest_EthersDecodedState()
    {
        var read = V.Read("channelState");
        _node.Answer("eth_call", read.GetProperty("output").GetString());

        var state = await Contract().GetStateAsync(Erc20.Id);

        var expected = read.GetProperty("expected");
        state.ShouldBe(new ChannelState(
            true,
            V.Integer(expected.GetProperty("payerDeposit")),
            V.Integer(expected.GetProperty("redeemedByPayee")),
            V.Integer(expected.GetProperty("payeeDeposit")),
            V.Integer(expected.GetProperty("redeemedByPayer")),
            ulong.MaxValue));
        state.IsClosing.ShouldBeTrue();
        var call = _node.ParamsOf("eth_call").ShouldHaveSingleItem()!.AsArray();
        call[0]!.AsObject().Select(p => p.Key).ShouldBe(["to", "data"]);
        call[0]!["to"]!.GetValue<string>().ShouldBe(V.Contract.ToLowerHex());
        call[0]!["data"]!.GetValue<string>().ShouldBe(read.GetProperty("data").GetString());
        call[1]!.GetValue<string>().ShouldBe("latest");
    }

    [Fact]
    public async Task GetStateAsync_AtABlock_ThatBlocksTag()
    {
        _node.Answer("eth_call", V.Read("channelState").GetProperty("output").GetString());

        await Contract().GetStateAsync(Erc20.Id, 0x2a);

        _node.ParamsOf("eth_call").ShouldHaveSingleItem()![1]!.GetValue<string>().ShouldBe("0x2a");
    }

    [Fact]
    public void ChannelState_NotClosingWhileTheDeadlineIsZero()
    {
        new ChannelState(true, 1, 0, 0, 0, 0).IsClosing.ShouldBeFalse();
        new ChannelState(true, 1, 0, 0, 0, 1).IsClosing.ShouldBeTrue();
    }

    [Fact]
    public async Task GetOwedAsync_EthersDecodedAmount()
    {
        var read = V.Read("owed");
        _node.Answer("eth_call", read.GetProperty("output").GetString());

        var owed = await Contract().GetOwedAsync(V.Input("token"), V.Input("funder"));

        owed.ShouldBe(V.Integer(read.GetProperty("expected")));
        var call = _node.ParamsOf("eth_call").ShouldHaveSingleItem()!.AsArray();
        call[0]!["data"]!.GetValue<string>().ShouldBe(read.GetProperty("data").GetString());
        call[1]!.GetValue<string>().ShouldBe("latest");
    }

    [Fact]
    public async Task GetDomainSeparatorAsync_TheReturnedWord()
    {
        var read = V.Read("domainSeparator");
        _node.Answer("eth_call", read.GetProperty("output").GetString());

        var separator = await Contract().GetDomainSeparatorAsync();

        Hex.Encode(separator).ShouldBe(read.GetProperty("expected").GetString());
        _node.ParamsOf("eth_call").ShouldHaveSingleItem()![0]!["data"]!.GetValue<string>().ShouldBe(read.GetProperty("data").GetString());
    }

    [Fact]
    public async Task GetEventsAsync_TheRangeOfThisContract_EventsInOrderWithPositions()
    {
        var foreign = V.LogJson("channelClosing", 6, 0);
        foreign["address"] = V.Input("token").ToLowerHex();
        _node.Answer("eth_getLogs", new JsonArray(V.LogJson("channelOpened", 5, 1), foreign, V.LogJson("channelClosing", 7, 3), V.LogJson("batchRedeemed", 8, 0)));

        var events = await Contract().GetEventsAsync(5, 9);

        events.Select(e => (e.GetType(), e.BlockNumber, e.LogIndex)).ShouldBe(
        [
            (typeof(ChannelOpenedEvent), (ulong?)5, (ulong?)1),
            (typeof(ChannelClosingEvent), 7, 3),
            (typeof(BatchVoucherRedeemedEvent), 8, 0),
        ]);
        ((ChannelOpenedEvent)events[0]).Channel.ShouldBe(Erc20);
        ((ChannelClosingEvent)events[1]).Deadline.ShouldBe((ulong)V.Amount("closeDeadline"));
        ((BatchVoucherRedeemedEvent)events[2]).ChannelId.ShouldBe(V.Channel("batch1").Id);
        var filter = _node.ParamsOf("eth_getLogs").ShouldHaveSingleItem()![0]!.AsObject();
        filter.Select(p => p.Key).ShouldBe(["fromBlock", "toBlock", "address"]);
        filter["fromBlock"]!.GetValue<string>().ShouldBe("0x5");
        filter["toBlock"]!.GetValue<string>().ShouldBe("0x9");
        filter["address"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe([V.Contract.ToLowerHex()]);
    }

    [Fact]
    public async Task FindOpenedAsync_FilterByTopicAndId_TheCanonicalOpen()
    {
        _node.Answer("eth_getLogs", new JsonArray(V.LogJson("channelOpened", 11, 0, removed: true), V.LogJson("channelOpened", 12, 4)));

        var opened = await Contract().FindOpenedAsync(Erc20.Id, 20);

        opened.ShouldNotBeNull().BlockNumber.ShouldBe(12UL);
        opened.LogIndex.ShouldBe(4UL);
        opened.Removed.ShouldBeFalse();
        opened.Channel.ShouldBe(Erc20);
        opened.Funder.ShouldBe(V.Input("funder"));
        opened.Deposit.ShouldBe(V.Amount("open"));
        var filter = _node.ParamsOf("eth_getLogs").ShouldHaveSingleItem()![0]!;
        filter["fromBlock"]!.GetValue<string>().ShouldBe("earliest");
        filter["toBlock"]!.GetValue<string>().ShouldBe("0x14");
        filter["address"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe([V.Contract.ToLowerHex()]);
        var topics = filter["topics"]!.AsArray();
        topics.Count.ShouldBe(2);
        topics[0]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe([V.LogJson("channelOpened")["topics"]![0]!.GetValue<string>()]);
        topics[1]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe([V.ChannelIdHex("erc20")]);
    }

    [Fact]
    public async Task FindOpenedAsync_OnlyRemovedOrOtherChannels_Null()
    {
        _node.Answer("eth_getLogs", new JsonArray(V.LogJson("channelOpened", 11, 0, removed: true), V.LogJson("channelClosing", 12, 0)));
        (await Contract().FindOpenedAsync(Erc20.Id, BlockParameter.Latest)).ShouldBeNull();

        _node.Answer("eth_getLogs", new JsonArray(V.LogJson("channelOpened", 12, 0)));
        (await Contract().FindOpenedAsync(V.Channel("eth").Id, BlockParameter.Latest)).ShouldBeNull();

        _node.Answer("eth_getLogs", new JsonArray());
        (await Contract().FindOpenedAsync(Erc20.Id, BlockParameter.Latest)).ShouldBeNull();
    }
}

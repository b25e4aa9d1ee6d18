using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="ChannelContract.TryDecodeEvents(Settlement.Ethereum.Rpc.LogEntry, out IReadOnlyList{ChannelEvent}, out LogDecodeRefusal)"/>
/// on one log of every event ethers encoded (<c>encodeEventLog</c>) from the vector inputs: every field and the log's
/// position.
/// </summary>
public sealed class EventVectorTests
{
    private static readonly ChannelParameters Eth = V.Channel("eth");
    private static readonly ChannelParameters Erc20 = V.Channel("erc20");

    public static TheoryData<string, ChannelEvent> Events() => new()
    {
        { "channelOpened", new ChannelOpenedEvent(Erc20.Id, Erc20, V.Input("funder"), V.Amount("open")) },
        { "channelClosing", new ChannelClosingEvent(Eth.Id, Eth.Payer, Eth.Payee, Address.Zero, Eth.Payee, (ulong)V.Amount("closeDeadline")) },
        { "channelToppedUp", new ChannelToppedUpEvent(Eth.Id, Eth.Payer, Eth.Payee, Address.Zero, V.Input("funder"), true, V.Amount("topUp"), V.Amount("open") + V.Amount("topUp")) },
        { "voucherRedeemed", new VoucherRedeemedEvent(Erc20.Id, Erc20.Payer, Erc20.Payee, Erc20.Token, false, 77, V.Amount("voucher")) },
        { "channelSettled", new ChannelSettledEvent(Erc20.Id, Erc20.Payer, Erc20.Payee, Erc20.Token, true, V.Amount("payeeToPayer"), V.Amount("payerToPayee")) },
        { "payoutDeferred", new PayoutDeferredEvent(Eth.Id, V.Input("to"), Address.Zero, V.Amount("topUp")) },
        { "owedWithdrawn", new OwedWithdrawnEvent(V.Input("funder"), V.Input("token"), V.Input("to"), V.Amount("max96")) },
        { "batchItemSkipped2", new BatchItemSkippedEvent(V.Channel("batch2").Id, V.Amount("max96"), BatchSkipReason.ChannelNotFound) },
        { "batchItemSkipped1", new BatchItemSkippedEvent(V.Channel("batch1").Id, V.Amount("batch1"), BatchSkipReason.AlreadyRedeemed) },
        { "batchRedeemed", new BatchVoucherRedeemedEvent(V.Channel("batch1").Id, V.Amount("batch1")) { Channel = V.Channel("batch1"), Item = 0 } },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void TryDecodeEvents_EthersLog_EveryFieldAndThePosition(string name, ChannelEvent expected)
    {
        var log = V.Log(name, blockNumber: 21, logIndex: 5) with { Removed = true };

        ChannelContract.TryDecodeEvents(log, out var events, out var refusal).ShouldBeTrue(name);

        refusal.ShouldBe(LogDecodeRefusal.None);
        var e = events.ShouldHaveSingleItem();
        (e with { BlockHash = null, TransactionHash = null }).ShouldBe(expected with { BlockNumber = 21, LogIndex = 5, Removed = true }, name);
        e.BlockHash.ShouldBe(log.BlockHash);
        e.TransactionHash.ShouldBe(log.TransactionHash);
    }
}

using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="ChannelContract.EncodeBatch"/> against ethers' <c>solidityPacked</c> and a layout written out by hand,
/// its limits at both edges and every refusal with its exact message (nothing sent by
/// <see cref="ChannelContract.RedeemBatchAsync"/>); <see cref="ChannelContract.BatchOutcomes"/> from logs ethers
/// encoded.
/// </summary>
public sealed class BatchEncodingTests
{
    private static readonly ChannelParameters First = V.Channel("batch1");
    private static readonly ChannelParameters Second = V.Channel("batch2");

    /// <summary>batch1 for 42 signed with recovery id 0, batch2 (nonce 2^40 − 1) for 2^96 − 1 with recovery id 1.</summary>
    internal static IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> TwoItems() =>
    [
        (First, new SignedVoucher(new Voucher(First.Id, V.Amount("batch1")), V.Signature("a"))),
        (Second, new SignedVoucher(new Voucher(Second.Id, V.Amount("max96")), V.Signature("b"))),
    ];

    [Fact]
    public void Constants_TheContractsLayout()
    {
        ChannelContract.BatchHeaderSize.ShouldBe(4);
        ChannelContract.BatchItemSize.ShouldBe(101);
        ChannelContract.MaxBatchNonce.ShouldBe(1_099_511_627_775UL);
        ChannelContract.BatchRedeemedItemSize.ShouldBe(37);
    }

    [Fact]
    public void EncodeBatch_TwoItemsAtTheLimits_EqualsEthersSolidityPacked()
    {
        var batch = ChannelContract.EncodeBatch(TwoItems());

        Hex.Encode(batch).ShouldBe(Hex.Encode(V.Batch));
        batch.Length.ShouldBe(4 + (2 * 101));
    }

    [Fact]
    public void EncodeBatch_OneItem_TheLayoutByHand()
    {
        var channel = new ChannelParameters(Address.Parse("0x0102030405060708090a0b0c0d0e0f1011121314"), First.Payee, First.Token, 0x0a0b0c0d, 0x0102030405);
        var signature = V.Signature("b");
        var batch = ChannelContract.EncodeBatch([(channel, new SignedVoucher(new Voucher(channel.Id, 0x0aff), signature))]);

        Hex.Encode(batch).ShouldBe(
            "0x0a0b0c0d"
            + "0102030405060708090a0b0c0d0e0f1011121314"
            + "0102030405"
            + "000000000000000000000aff"
            + "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c30f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
            + "ff5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e");

        var zero = ChannelContract.EncodeBatch([(channel, new SignedVoucher(new Voucher(channel.Id, 0), V.Signature("a")))]);
        Hex.Encode(zero.AsSpan(4 + 25, 12)).ShouldBe("0x000000000000000000000000");
        Hex.Encode(zero.AsSpan(4 + 69, 32)).ShouldBe("0x" + string.Concat(Enumerable.Repeat("2a", 32)));
    }

    public static TheoryData<string, Func<IReadOnlyList<(ChannelParameters, SignedVoucher)>>, string> Refused() => new()
    {
        { "empty", () => [], "A batch needs at least one voucher. (Parameter 'vouchers')" },
        {
            "challenge periods differ",
            () => [TwoItems()[0], (Second with { ChallengePeriodSeconds = 604_801 }, TwoItems()[1].Voucher)],
            "The channels of a batch must share one challenge period. (Parameter 'vouchers')"
        },
        {
            "nonce of 41 bits",
            () => [TwoItems()[0], (Second with { Nonce = ChannelContract.MaxBatchNonce + 1 }, TwoItems()[1].Voucher)],
            "A batch nonce must fit in 40 bits. (Parameter 'vouchers')"
        },
        {
            "amount of 97 bits",
            () => [TwoItems()[0], (Second, new SignedVoucher(new Voucher(Second.Id, BigInteger.One << 96), V.Signature("b")))],
            "A batch amount must fit in 96 bits. (Parameter 'vouchers')"
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task EncodeBatch_OutOfLimits_RefusedWithTheReasonNothingSent(string why, Func<IReadOnlyList<(ChannelParameters, SignedVoucher)>> vouchers, string message)
    {
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch(vouchers()), why).Message.ShouldBe(message, why);

        var node = new ScriptedNode();
        var payee = new RecordingTransactor(First.Payee);
        var contract = new ChannelContract(node.Client(), V.Contract);
        (await Should.ThrowAsync<ArgumentException>(() => contract.RedeemBatchAsync(payee, First.Token, vouchers()), why)).Message.ShouldBe(message, why);
        payee.Sent.ShouldBeEmpty(why);
        node.Requests.ShouldBeEmpty(why);
    }

    [Fact]
    public void EncodeBatch_NullParts_Refused()
    {
        var items = TwoItems();
        Should.Throw<ArgumentNullException>(() => ChannelContract.EncodeBatch(null!)).ParamName.ShouldBe("vouchers");
        Should.Throw<ArgumentNullException>(() => ChannelContract.EncodeBatch([(null!, items[0].Voucher)])).ParamName.ShouldBe("vouchers");
        Should.Throw<ArgumentNullException>(() => ChannelContract.EncodeBatch([items[0], (null!, items[1].Voucher)])).ParamName.ShouldBe("vouchers");
        Should.Throw<ArgumentNullException>(() => ChannelContract.EncodeBatch([items[0], (items[1].Channel, null!)])).ParamName.ShouldBe("vouchers");
    }

    [Fact]
    public void BatchOutcomes_RedeemedAndSkippedLogs_EachItemInOrderWithItsReason()
    {
        var items = ThreeItems();
        var receipt = Receipt(
            V.Log("batchItemSkipped2", logIndex: 0),
            V.Log("batchRedeemed", logIndex: 1) with { Address = First.Token },
            V.Log("batchRedeemed", logIndex: 2),
            V.Log("channelClosing", logIndex: 3) with { Data = [] },
            V.Log("batchItemSkipped1", logIndex: 4));

        var outcomes = ChannelContract.BatchOutcomes(receipt, V.Contract, items);

        outcomes.ShouldBe(
        [
            new BatchItemRedeemed(First.Id, 42),
            new BatchItemSkipped(Second.Id, V.Amount("max96"), BatchSkipReason.ChannelNotFound),
            new BatchItemSkipped(First.Id, 42, BatchSkipReason.AlreadyRedeemed),
        ]);
    }

    public static TheoryData<string, LogEntry[], int> Unaccounted() => new()
    {
        { "no logs", [], 0 },
        { "logs of another contract", [V.Log("batchRedeemed") with { Address = V.Input("token") }, V.Log("batchItemSkipped2") with { Address = V.Input("token") }], 0 },
        { "the last skip missing", [V.Log("batchRedeemed"), V.Log("batchItemSkipped2")], 2 },
        { "the redeemed item missing", [V.Log("batchItemSkipped2"), V.Log("batchItemSkipped1")], 0 },
    };

    [Theory]
    [MemberData(nameof(Unaccounted))]
    public void BatchOutcomes_AnItemWithoutOutcome_RefusedNamingIt(string why, LogEntry[] logs, int item)
    {
        var items = ThreeItems();
        var ex = Should.Throw<ArgumentException>(() => ChannelContract.BatchOutcomes(Receipt(logs), V.Contract, items), why);

        ex.Message.ShouldBe($"The receipt has no outcome for batch item {item} (channel {items[item].Channel.Id}). (Parameter 'receipt')", why);
    }

    [Fact]
    public void BatchOutcomes_OtherAmountInTheLog_NoOutcome()
    {
        var items = new[] { (First, new SignedVoucher(new Voucher(First.Id, 43), V.Signature("a"))) };

        Should.Throw<ArgumentException>(() => ChannelContract.BatchOutcomes(Receipt(V.Log("batchRedeemed")), V.Contract, items))
            .Message.ShouldStartWith("The receipt has no outcome for batch item 0 ");
        Should.Throw<ArgumentException>(() => ChannelContract.BatchOutcomes(Receipt(V.Log("batchItemSkipped1")), V.Contract, items))
            .Message.ShouldStartWith("The receipt has no outcome for batch item 0 ");
    }

    [Fact]
    public void BatchOutcomes_NullArguments_Refused()
    {
        Should.Throw<ArgumentNullException>(() => ChannelContract.BatchOutcomes(null!, V.Contract, TwoItems())).ParamName.ShouldBe("receipt");
        Should.Throw<ArgumentNullException>(() => ChannelContract.BatchOutcomes(Receipt(), V.Contract, null!)).ParamName.ShouldBe("vouchers");
    }

    private static IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> ThreeItems() => [.. TwoItems(), TwoItems()[0]];

    private static TransactionReceipt Receipt(params LogEntry[] logs) => new()
    {
        TransactionHash = new byte[32],
        BlockNumber = 9,
        BlockHash = new byte[32],
        From = First.Payee,
        Succeeded = true,
        GasUsed = 1,
        Logs = logs,
    };
}

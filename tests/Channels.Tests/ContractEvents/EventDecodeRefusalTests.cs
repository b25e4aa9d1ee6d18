using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tests.ContractEvents;

/// <summary>
/// <see cref="ChannelContract.TryDecodeEvents(LogEntry, out IReadOnlyList{ChannelEvent}, out LogDecodeRefusal)"/> on
/// malformed logs: each is refused as data with its exact reason, no event comes out, and nothing throws. The good
/// logs are ABI-encoded here with Nethereum's encoder from the generated event ABI, then broken one way at a time.
/// </summary>
public sealed class EventDecodeRefusalTests
{
    private static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private static readonly Address Payer = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly Address Payee = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    private static readonly Address Token = Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    private static readonly Address Closer = Address.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");
    private static readonly byte[] Id = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static readonly LogEntry Closing = Log<ChannelClosingEventDto>([Id, Word(Payer), Word(Payee)], Token.ToString(), Closer.ToString(), (BigInteger)1_700_000_123);

    private static readonly LogEntry Opened = Log<ChannelOpenedEventDto>(
        [Id, Word(Payer), Word(Payee)], Token.ToString(), Closer.ToString(), (BigInteger)3_600, (BigInteger)77, (BigInteger)5_000);

    private static readonly LogEntry ToppedUp = Log<ChannelToppedUpEventDto>(
        [Id, Word(Payer), Word(Payee)], Token.ToString(), Closer.ToString(), true, (BigInteger)10, (BigInteger)20);

    private static readonly LogEntry Skipped = Log<BatchItemSkippedEventDto>([Id], (BigInteger)900, (BigInteger)1);

    public static TheoryData<string, LogEntry, LogDecodeRefusal> Refused() => new()
    {
        { "no topic", Closing with { Topics = [] }, LogDecodeRefusal.NoTopic },
        { "topic 0 of 31 bytes", Closing with { Topics = [Closing.Topics[0][1..], .. Closing.Topics.Skip(1)] }, LogDecodeRefusal.TopicLength },
        { "topic 0 null", Closing with { Topics = [null!, .. Closing.Topics.Skip(1)] }, LogDecodeRefusal.TopicLength },
        { "wrong topic 0", Closing with { Topics = [new byte[32], .. Closing.Topics.Skip(1)] }, LogDecodeRefusal.UnknownEvent },
        { "an ERC-20 Transfer signature", Closing with { Topics = [Keccak256.Hash("Transfer(address,address,uint256)"u8), .. Closing.Topics.Skip(1)] }, LogDecodeRefusal.UnknownEvent },
        { "indexed field missing", Closing with { Topics = Closing.Topics.Take(3).ToArray() }, LogDecodeRefusal.TopicCount },
        { "one topic too many", Closing with { Topics = [.. Closing.Topics, new byte[32]] }, LogDecodeRefusal.TopicCount },
        { "channel id topic of 31 bytes", Closing with { Topics = [Closing.Topics[0], Id[1..], .. Closing.Topics.Skip(2)] }, LogDecodeRefusal.TopicLength },
        { "payee topic null", Closing with { Topics = [.. Closing.Topics.Take(3), null!] }, LogDecodeRefusal.TopicLength },
        { "data one byte short", Closing with { Data = Closing.Data[..^1] }, LogDecodeRefusal.DataLength },
        { "data one byte long", Closing with { Data = [.. Closing.Data, 0] }, LogDecodeRefusal.DataLength },
        { "data a word short", Closing with { Data = Closing.Data[..^32] }, LogDecodeRefusal.DataLength },
        { "data null", Closing with { Data = null! }, LogDecodeRefusal.DataLength },
        { "payer topic above 160 bits", Closing with { Topics = [Closing.Topics[0], Closing.Topics[1], Dirty(Closing.Topics[2], 0), Closing.Topics[3]] }, LogDecodeRefusal.FieldOutOfRange },
        { "closer above 160 bits", Closing with { Data = Patched(Closing.Data, 32 + 11, 1) }, LogDecodeRefusal.FieldOutOfRange },
        { "deadline above 64 bits", Closing with { Data = Patched(Closing.Data, 64 + 23, 1) }, LogDecodeRefusal.FieldOutOfRange },
        { "challenge period above 32 bits", Opened with { Data = Patched(Opened.Data, 64 + 27, 1) }, LogDecodeRefusal.FieldOutOfRange },
        { "nonce above 64 bits", Opened with { Data = Patched(Opened.Data, 96 + 23, 1) }, LogDecodeRefusal.FieldOutOfRange },
        { "bool of 2", ToppedUp with { Data = Patched(ToppedUp.Data, 64 + 31, 2) }, LogDecodeRefusal.FieldOutOfRange },
        { "skip reason above 8 bits", Skipped with { Data = Patched(Skipped.Data, 32 + 30, 1) }, LogDecodeRefusal.FieldOutOfRange },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryDecodeEvents_MalformedLog_RefusedWithExactReason(string why, LogEntry log, LogDecodeRefusal expected)
    {
        ChannelContract.TryDecodeEvents(log, out var events, out var refusal).ShouldBeFalse(why);
        refusal.ShouldBe(expected, why);
        events.ShouldBeEmpty(why);
        ChannelContract.TryDecodeEvent(log, out var single, out refusal).ShouldBeFalse(why);
        refusal.ShouldBe(expected, why);
        single.ShouldBeNull(why);
    }

    [Fact]
    public void TryDecodeEvents_WellFormedLogs_NoRefusalAndEveryField()
    {
        ChannelContract.TryDecodeEvent(Closing, out var closing, out var refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        closing.ShouldBe(new ChannelClosingEvent(ChannelId.FromBytes(Id), Payer, Payee, Token, Closer, 1_700_000_123) { BlockNumber = 7, LogIndex = 2 });

        ChannelContract.TryDecodeEvent(Opened, out var opened, out refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        opened.ShouldBe(new ChannelOpenedEvent(ChannelId.FromBytes(Id), new ChannelParameters(Payer, Payee, Token, 3_600, 77), Closer, 5_000) { BlockNumber = 7, LogIndex = 2 });

        // A reason the client does not know (a newer contract) is data, not a refusal.
        ChannelContract.TryDecodeEvent(Skipped with { Data = Patched(Skipped.Data, 63, 9) }, out var skipped, out refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        skipped.ShouldBe(new BatchItemSkippedEvent(ChannelId.FromBytes(Id), 900, BatchSkipReason.Unknown) { BlockNumber = 7, LogIndex = 2 });
    }

    public static TheoryData<string, Func<LogEntry, LogEntry>, LogDecodeRefusal> BatchRefused() => new()
    {
        { "payee topic missing", l => l with { Topics = l.Topics.Take(2).ToArray() }, LogDecodeRefusal.TopicCount },
        { "token topic of 20 bytes", l => l with { Topics = [l.Topics[0], l.Topics[1], Token.Bytes.ToArray()] }, LogDecodeRefusal.TopicLength },
        { "payee topic above 160 bits", l => l with { Topics = [l.Topics[0], Dirty(l.Topics[1], 0), l.Topics[2]] }, LogDecodeRefusal.FieldOutOfRange },
        { "challenge period above 32 bits", l => l with { Data = Patched(l.Data, 27, 1) }, LogDecodeRefusal.FieldOutOfRange },
        { "no data", l => l with { Data = [] }, LogDecodeRefusal.DataLength },
        { "data null", l => l with { Data = null! }, LogDecodeRefusal.DataLength },
        { "data not whole words", l => l with { Data = l.Data[..^1] }, LogDecodeRefusal.DataLength },
        { "padding word missing", l => l with { Data = l.Data[..^32] }, LogDecodeRefusal.MalformedPackedData },
        { "a word too many", l => l with { Data = [.. l.Data, .. new byte[32]] }, LogDecodeRefusal.MalformedPackedData },
        { "offset not 64", l => l with { Data = Patched(l.Data, 63, 0x20) }, LogDecodeRefusal.MalformedPackedData },
        { "length not a multiple of 37", l => l with { Data = Patched(l.Data, 95, 38) }, LogDecodeRefusal.MalformedPackedData },
        { "no item", l => l with { Data = Patched(l.Data, 95, 0) }, LogDecodeRefusal.MalformedPackedData },
        { "length above 2^31", l => l with { Data = Patched(l.Data, 92, 0x80) }, LogDecodeRefusal.MalformedPackedData },
        { "dirty padding", l => l with { Data = Patched(l.Data, 96 + 37, 1) }, LogDecodeRefusal.MalformedPackedData },
        { "only the three head words", l => l with { Data = l.Data[..96] }, LogDecodeRefusal.MalformedPackedData },
        { "head words short of 96 bytes", l => l with { Data = l.Data[..64] }, LogDecodeRefusal.DataLength },
        { "length word dirty above 32 bits", l => l with { Data = Patched(l.Data, 64, 1) }, LogDecodeRefusal.MalformedPackedData },
    };

    [Theory]
    [MemberData(nameof(BatchRefused))]
    public void TryDecodeEvents_MalformedBatchRedeemed_RefusedWithExactReason(string why, Func<LogEntry, LogEntry> breakIt, LogDecodeRefusal expected)
    {
        var log = breakIt(BatchLog(1));
        ChannelContract.TryDecodeEvents(log, out var events, out var refusal).ShouldBeFalse(why);
        refusal.ShouldBe(expected, why);
        events.ShouldBeEmpty(why);
    }

    [Fact]
    public void TryDecodeEvent_BatchRedeemedOfTwoItems_RefusedAsSeveralEvents()
    {
        var log = BatchLog(2);
        ChannelContract.TryDecodeEvents(log, out var events, out var refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        events.Count.ShouldBe(2);
        var items = events.Cast<BatchVoucherRedeemedEvent>().ToArray();
        items.Select(e => (e.Item, e.Channel!.Payer, e.Channel.Payee, e.Channel.Token, e.Channel.ChallengePeriodSeconds, e.Channel.Nonce, e.CumulativeAmount))
            .ShouldBe([(0, Payer, Payee, Token, 3_600U, 1UL, (BigInteger)10), (1, Payer, Payee, Token, 3_600U, 2UL, (BigInteger)11)]);

        ChannelContract.TryDecodeEvent(log, out var single, out refusal).ShouldBeFalse();
        refusal.ShouldBe(LogDecodeRefusal.SeveralEvents);
        single.ShouldBeNull();
    }

    [Fact]
    public void TryDecodeEvents_BatchItemAtTheTopOf96BitsAndLargestNonce_ReadUnsigned()
    {
        var packed = new List<byte>();
        packed.AddRange(Payer.Bytes.ToArray());
        packed.AddRange(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff });
        packed.AddRange([0x80, .. new byte[11]]);
        var log = Log<BatchRedeemedEventDto>([Word(Payee), Word(Token)], (BigInteger)3_600, packed.ToArray());

        ChannelContract.TryDecodeEvents(log, out var events, out var refusal).ShouldBeTrue();

        refusal.ShouldBe(LogDecodeRefusal.None);
        var item = events.ShouldHaveSingleItem().ShouldBeOfType<BatchVoucherRedeemedEvent>();
        item.CumulativeAmount.ShouldBe(BigInteger.Parse("39614081257132168796771975168", System.Globalization.CultureInfo.InvariantCulture)); // 2^95
        item.Channel!.Nonce.ShouldBe(0xFF_FFFF_FFFFUL);
    }

    [Fact]
    public void DecodeEvents_RefusedLogAmongGoodOnes_SkippedOthersKept()
    {
        var contract = new ChannelContract(new EthereumRpcClient(new HttpClient(), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:1"), ChainId = 31337 }), Contract);
        var events = contract.DecodeEvents([Closing, Closing with { Data = Closing.Data[..^1] }, Opened, Opened with { Address = Payer }]);
        events.Select(e => e.GetType()).ShouldBe([typeof(ChannelClosingEvent), typeof(ChannelOpenedEvent)]);
    }

    private static LogEntry BatchLog(int items)
    {
        var packed = new List<byte>();
        for (var i = 0; i < items; i++)
        {
            packed.AddRange(Payer.Bytes.ToArray());
            packed.AddRange(new byte[] { 0, 0, 0, 0, (byte)(i + 1) });
            packed.AddRange([.. new byte[11], (byte)(10 + i)]);
        }

        return Log<BatchRedeemedEventDto>([Word(Payee), Word(Token)], (BigInteger)3_600, packed.ToArray());
    }

    private static LogEntry Log<TEvent>(byte[][] indexed, params object[] data)
        where TEvent : class, new()
    {
        var abi = ABITypedRegistry.GetEvent<TEvent>();
        return new LogEntry
        {
            Address = Contract,
            Topics = [Topic<TEvent>(), .. indexed],
            Data = new ParametersEncoder().EncodeParameters(abi.InputParameters.Where(p => !p.Indexed).ToArray(), data),
            BlockNumber = 7,
            LogIndex = 2,
        };
    }

    private static byte[] Topic<TEvent>()
        where TEvent : class, new() => ABITypedRegistry.GetEvent<TEvent>().Sha3Signature.HexToByteArray();

    private static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];

    private static byte[] Dirty(byte[] word, int index) => Patched(word, index, 1);

    private static byte[] Patched(byte[] bytes, int index, byte value)
    {
        var copy = bytes.ToArray();
        copy[index] = value;
        return copy;
    }
}

using System.Numerics;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Mapping;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// <see cref="Erc20Transfer.TryDecode(LogEntry, out Erc20Transfer?, out LogDecodeRefusal)"/> on malformed logs: each is
/// refused as data with its exact reason and nothing throws (the indexer reads logs from any node and token).
/// </summary>
public sealed class Erc20TransferRefusalTests
{
    private static readonly Address Token = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    private static readonly Address From = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address To = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly LogEntry Good = new() { Address = Token, Topics = [Erc20Transfer.Topic0, Word(From), Word(To)], Data = [.. new byte[30], 0x30, 0x39] };

    public static TheoryData<string, LogEntry, LogDecodeRefusal> Refused() => new()
    {
        { "no topic", Good with { Topics = [] }, LogDecodeRefusal.NoTopic },
        { "topics null", Good with { Topics = null! }, LogDecodeRefusal.NoTopic },
        { "topic 0 of 31 bytes", Good with { Topics = [Erc20Transfer.Topic0[1..], Word(From), Word(To)] }, LogDecodeRefusal.TopicLength },
        { "topic 0 null", Good with { Topics = [null!, Word(From), Word(To)] }, LogDecodeRefusal.TopicLength },
        { "another event (Approval)", Good with { Topics = [Convert.FromHexString("8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"), Word(From), Word(To)] }, LogDecodeRefusal.UnknownEvent },
        { "ERC-721 Transfer (value indexed)", Good with { Topics = [Erc20Transfer.Topic0, Word(From), Word(To), Good.Data], Data = [] }, LogDecodeRefusal.TopicCount },
        { "recipient topic missing", Good with { Topics = [Erc20Transfer.Topic0, Word(From)] }, LogDecodeRefusal.TopicCount },
        { "sender topic of 20 bytes", Good with { Topics = [Erc20Transfer.Topic0, From.Bytes.ToArray(), Word(To)] }, LogDecodeRefusal.TopicLength },
        { "recipient topic null", Good with { Topics = [Erc20Transfer.Topic0, Word(From), null!] }, LogDecodeRefusal.TopicLength },
        { "no data", Good with { Data = [] }, LogDecodeRefusal.DataLength },
        { "data null", Good with { Data = null! }, LogDecodeRefusal.DataLength },
        { "data one byte long", Good with { Data = [.. Good.Data, 0] }, LogDecodeRefusal.DataLength },
        { "sender above 160 bits", Good with { Topics = [Erc20Transfer.Topic0, [1, .. Word(From)[1..]], Word(To)] }, LogDecodeRefusal.FieldOutOfRange },
        { "recipient above 160 bits", Good with { Topics = [Erc20Transfer.Topic0, Word(From), [.. new byte[11], 1, .. To.Bytes]] }, LogDecodeRefusal.FieldOutOfRange },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryDecode_MalformedLog_RefusedWithExactReason(string why, LogEntry log, LogDecodeRefusal expected)
    {
        Erc20Transfer.TryDecode(log, out var transfer, out var refusal).ShouldBeFalse(why);
        refusal.ShouldBe(expected, why);
        transfer.ShouldBeNull(why);
    }

    [Fact]
    public void TryDecode_WellFormedAndLargestValue_NoRefusal()
    {
        Erc20Transfer.TryDecode(Good, out var transfer, out var refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        transfer.ShouldBe(new Erc20Transfer(From, To, 12_345));

        Erc20Transfer.TryDecode(Good with { Data = Enumerable.Repeat((byte)0xFF, 32).ToArray() }, out transfer, out refusal).ShouldBeTrue();
        refusal.ShouldBe(LogDecodeRefusal.None);
        transfer!.Value.ShouldBe((BigInteger.One << 256) - 1);
    }

    private static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];
}

using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// <see cref="ChannelContract.TryDecodeEvent(LogEntry, out ChannelEvent?)"/> on logs built here (no node): every field of a well-formed log, and
/// a clean false, never an exception, on logs of the wrong shape.
/// </summary>
public sealed class EventDecodingTests
{
    private static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private static readonly Address Payer = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly Address Payee = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    private static readonly Address Token = Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    private static readonly Address Closer = Address.Parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");

    [Fact]
    public void TryDecodeEvent_ChannelClosing_EveryField()
    {
        var id = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var log = ClosingLog(id, deadline: 1_700_000_123);

        ChannelContract.TryDecodeEvent(log, out var e).ShouldBeTrue();
        var closing = e.ShouldBeOfType<ChannelClosingEvent>();
        closing.ChannelId.Bytes.ToArray().ShouldBe(id);
        closing.Payer.ShouldBe(Payer);
        closing.Payee.ShouldBe(Payee);
        closing.Token.ShouldBe(Token);
        closing.Closer.ShouldBe(Closer);
        closing.Deadline.ShouldBe(1_700_000_123UL);
        closing.BlockNumber.ShouldBe(7UL);
        closing.LogIndex.ShouldBe(2UL);
    }

    [Fact]
    public void TryDecodeEvent_WrongShapes_FalseWithoutThrowing()
    {
        var good = ClosingLog(new byte[32], 5);
        LogEntry[] bad =
        [
            good with { Topics = [] },
            good with { Topics = good.Topics.Take(3).ToArray() },                   // an indexed field missing
            good with { Topics = [.. good.Topics, new byte[32]] },                   // one topic too many
            good with { Topics = [good.Topics[0], new byte[31], good.Topics[2], good.Topics[3]] },
            good with { Data = good.Data[..^1] },                                    // data one byte short
            good with { Data = [.. good.Data, 0] },                                  // data one byte over
            good with { Topics = [new byte[32], .. good.Topics.Skip(1)] },           // unknown event
        ];
        foreach (var log in bad)
        {
            ChannelContract.TryDecodeEvent(log, out var e).ShouldBeFalse();
            e.ShouldBeNull();
        }
    }

    [Fact]
    public void TryDecodeEvent_RandomLogsWithKnownTopics_NeverThrows()
    {
        var topics = new[]
        {
            ABITypedRegistry.GetEvent<ChannelOpenedEventDto>(), ABITypedRegistry.GetEvent<ChannelClosingEventDto>(),
            ABITypedRegistry.GetEvent<ChannelSettledEventDto>(), ABITypedRegistry.GetEvent<OwedWithdrawnEventDto>(),
        }.Select(e => e.Sha3Signature.HexToByteArray()).ToArray();
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var count = random.Next(6);
            var logTopics = Enumerable.Range(0, count).Select(_ => Bytes(random, random.Next(5) == 0 ? 31 : 32)).ToList();
            if (count > 0 && random.Next(4) != 0)
            {
                logTopics[0] = topics[random.Next(topics.Length)];
            }

            var log = new LogEntry { Address = Contract, Topics = logTopics, Data = Bytes(random, 32 * random.Next(7) + (random.Next(4) == 0 ? 1 : 0)) };
            _ = ChannelContract.TryDecodeEvent(log, out _);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
    }

    [Fact]
    public void TryDecodeEvents_BatchRedeemed_OneEventPerItemWithItsChannel()
    {
        var first = new ChannelParameters(Payer, Payee, Token, 3_600, 123);
        var second = new ChannelParameters(Closer, Payee, Token, 3_600, ChannelContract.MaxBatchNonce);
        var log = BatchLog(3_600, (first, 1_000_000), (second, (BigInteger.One << 96) - 1));

        ChannelContract.TryDecodeEvents(log, out var events).ShouldBeTrue();
        var items = events.Select(e => e.ShouldBeOfType<BatchVoucherRedeemedEvent>()).ToList();
        items.Select(e => (e.ChannelId, e.CumulativeAmount, e.Channel, e.Item)).ShouldBe(
        [
            (first.Id, new BigInteger(1_000_000), first, 0),
            (second.Id, (BigInteger.One << 96) - 1, second, 1),
        ]);
        items.ShouldAllBe(e => e.LogIndex == 2UL && e.BlockNumber == 7UL);
        // Two events in one log: the single-event decoder refuses it rather than drop one.
        ChannelContract.TryDecodeEvent(log, out var single).ShouldBeFalse();
        single.ShouldBeNull();
        ChannelContract.TryDecodeEvent(BatchLog(3_600, (first, 5)), out single).ShouldBeTrue();
        single.ShouldBeOfType<BatchVoucherRedeemedEvent>().CumulativeAmount.ShouldBe(new BigInteger(5));
    }

    [Fact]
    public void TryDecodeEvents_BatchRedeemedWrongShapes_FalseWithoutThrowing()
    {
        var good = BatchLog(3_600, (new ChannelParameters(Payer, Payee, Token, 3_600, 1), 10));
        byte[] Patched(int index, byte value)
        {
            var data = good.Data.ToArray();
            data[index] = value;
            return data;
        }

        LogEntry[] bad =
        [
            good with { Topics = good.Topics.Take(2).ToArray() },
            good with { Topics = [good.Topics[0], [1, .. new byte[31]], good.Topics[2]] },   // payee word not an address
            good with { Data = good.Data[..^32] },                                           // padding missing
            good with { Data = [.. good.Data, .. new byte[32]] },                            // a word too many
            good with { Data = Patched(27, 1) },                                             // challenge period above 32 bits
            good with { Data = Patched(63, 0x20) },                                          // offset not 64
            good with { Data = Patched(95, 38) },                                            // length not a multiple of 37
            good with { Data = Patched(95, 0) },                                             // no item
            good with { Data = Patched(96 + 37, 1) },                                        // dirty padding
            good with { Data = [] },
        ];
        foreach (var log in bad)
        {
            ChannelContract.TryDecodeEvents(log, out var events).ShouldBeFalse();
            events.ShouldBeEmpty();
        }
    }

    [Fact]
    public void TryDecodeEvents_RandomBatchRedeemedLogs_NeverThrow()
    {
        var topic = ABITypedRegistry.GetEvent<BatchRedeemedEventDto>().Sha3Signature.HexToByteArray();
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var data = Bytes(random, random.Next(300));
            if (data.Length >= 96 && random.Next(2) == 0)
            {
                Array.Clear(data, 0, 96);
                data[31] = (byte)random.Next(256);
                data[63] = 64;
                data[95] = (byte)random.Next(256);
            }

            var log = new LogEntry { Address = Contract, Topics = [topic, Word(Payee), random.Next(3) == 0 ? Bytes(random, 32) : Word(Token)], Data = data };
            _ = ChannelContract.TryDecodeEvents(log, out _);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
    }

    private static LogEntry BatchLog(uint challengePeriod, params (ChannelParameters Channel, BigInteger Amount)[] items)
    {
        var packed = new List<byte>();
        foreach (var (c, amount) in items)
        {
            packed.AddRange(c.Payer.Bytes.ToArray());
            packed.AddRange(BitConverter.GetBytes(c.Nonce).Reverse().Skip(3));
            var a = amount.ToByteArray(isUnsigned: true, isBigEndian: true);
            packed.AddRange(new byte[12 - a.Length]);
            packed.AddRange(a);
        }

        var abi = ABITypedRegistry.GetEvent<BatchRedeemedEventDto>();
        return new LogEntry
        {
            Address = Contract,
            Topics = [abi.Sha3Signature.HexToByteArray(), Word(Payee), Word(Token)],
            Data = new ParametersEncoder().EncodeParameters(abi.InputParameters.Where(p => !p.Indexed).ToArray(), challengePeriod, packed.ToArray()),
            BlockNumber = 7,
            LogIndex = 2,
        };
    }

    private static LogEntry ClosingLog(byte[] channelId, ulong deadline)
    {
        var abi = ABITypedRegistry.GetEvent<ChannelClosingEventDto>();
        var data = new ParametersEncoder().EncodeParameters(
            abi.InputParameters.Where(p => !p.Indexed).ToArray(), Token.ToString(), Closer.ToString(), (BigInteger)deadline);
        return new LogEntry
        {
            Address = Contract,
            Topics = [abi.Sha3Signature.HexToByteArray(), channelId, Word(Payer), Word(Payee)],
            Data = data,
            BlockNumber = 7,
            LogIndex = 2,
        };
    }

    private static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

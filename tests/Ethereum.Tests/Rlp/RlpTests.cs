using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Nethereum.RLP;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Transactions;
using NethereumRlp = Nethereum.RLP.RLP;

namespace Settlement.Ethereum.Tests.Rlp;

/// <summary>
/// RLP is Nethereum.RLP now. These are tests of it as the transaction code uses it (encode with
/// <c>EncodeElement</c>/<c>EncodeList</c>, decode with <c>Decode</c>), and of the framing check
/// (<see cref="RlpFraming"/>) that untrusted bytes pass before Nethereum's decoder sees them.
/// </summary>
public sealed class RlpTests
{
    private const int TestDepth = 64;

    private static RlpNode S(string hex) => RlpNode.String(hex);

    private static RlpNode L(params RlpNode[] items) => RlpNode.List(items);

    private static RlpNode Empty => RlpNode.String([]);

    private static RlpNode EmptyList => RlpNode.List();

    // Examples from the Ethereum wiki's RLP page and the Yellow Paper, appendix B.
    public static TheoryData<string, string> Published() => new()
    {
        { "0x80", "0x" },
        { "0x00", "0x00" },
        { "0x0f", "0x0f" },
        { "0x7f", "0x7f" },
        { "0x8180", "0x80" },
        { "0x820400", "0x0400" },
        { "0x83646f67", "0x646f67" },
        { "0xc0", "[]" },
        { "0xc88363617483646f67", "[0x636174, 0x646f67]" },
        { "0xc7c0c1c0c3c0c1c0", "[[], [[]], [[], [[]]]]" },
        {
            // "Lorem ipsum dolor sit amet, consectetur adipisicing elit" (56 bytes: long form)
            "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974",
            "0x4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974"
        },
    };

    private static RlpNode Item(string shown) => shown switch
    {
        "[]" => EmptyList,
        "[0x636174, 0x646f67]" => L(S("0x636174"), S("0x646f67")),
        "[[], [[]], [[], [[]]]]" => L(EmptyList, L(EmptyList), L(EmptyList, L(EmptyList))),
        _ => S(shown),
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Encode_PublishedExamples_MatchBytes(string expected, string item) =>
        Hex.Encode(Item(item).Encode()).ShouldBe(expected);

    [Theory]
    [MemberData(nameof(Published))]
    public void Decode_PublishedExamples_GiveItem(string encoded, string expected)
    {
        RlpFraming.TryCheck(Hex.Decode(encoded), TestDepth, out var error).ShouldBeTrue(error);
        RlpNode.Decode(Hex.Decode(encoded)).ShouldBe(Item(expected));
    }

    [Theory]
    [InlineData(0, "0x80")]
    [InlineData(15, "0x0f")]
    [InlineData(1024, "0x820400")]
    [InlineData(127, "0x7f")]
    [InlineData(128, "0x8180")]
    public void EncodeElement_PublishedIntegers_MatchBytes(long value, string expected) =>
        Hex.Encode(NethereumRlp.EncodeElement(new BigInteger(value).ToBytesForRLPEncoding())).ShouldBe(expected);

    [Theory]
    [InlineData("0x", "input is empty")]
    [InlineData("0x8100", "single byte below 0x80")]
    [InlineData("0x817f", "single byte below 0x80")]
    [InlineData("0xb800", "leading zero")]
    [InlineData("0xb80100", "shorter than 56")]
    [InlineData("0xb837" + "00", "shorter than 56")]
    [InlineData("0xf800", "leading zero")]
    [InlineData("0xf80100", "shorter than 56")]
    [InlineData("0xb90038", "leading zero")]
    [InlineData("0x8000", "trailing")]
    [InlineData("0xc000", "trailing")]
    [InlineData("0x83646f", "past the end")]
    [InlineData("0xc3c0c0", "past the end")]
    [InlineData("0xc2c3c0", "past the end")]
    [InlineData("0xbf0100000000000000", "32 bits")]
    [InlineData("0xffffffffffffffffff", "32 bits")]
    [InlineData("0xbbffffffff", "past the end")]
    [InlineData("0xb8", "past the end")]
    public void TryCheck_NonCanonicalOrTruncated_RejectsWithReason(string hex, string reason)
    {
        RlpFraming.TryCheck(Hex.Decode(hex), TestDepth, out var error).ShouldBeFalse();
        error.ShouldContain(reason);
    }

    [Theory]
    [InlineData("0x8100", "0x00")]
    [InlineData("0xb80105", "0x05")]
    [InlineData("0x0102", "0x01")]
    public void NethereumDecode_NonCanonicalOrTrailing_AcceptedSilently(string hex, string decoded)
    {
        // Why untrusted bytes pass RlpFraming first: Nethereum's decoder takes these without complaint.
        RlpNode.Decode(Hex.Decode(hex)).ShouldBe(S(decoded));
        RlpFraming.TryCheck(Hex.Decode(hex), TestDepth, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryCheck_NestingDeeperThanLimit_Rejects()
    {
        var item = EmptyList;
        for (var i = 0; i < TestDepth; i++)
        {
            item = L(item);
        }

        var encoded = item.Encode();
        RlpFraming.TryCheck(encoded, TestDepth, out var error).ShouldBeFalse();
        error.ShouldContain("nested deeper");
        RlpFraming.TryCheck(encoded, TestDepth + 1, out _).ShouldBeTrue();
    }

    [Fact]
    public void Encode_LongLists_UseMultiByteLengths()
    {
        // A list whose payload is 1024 bytes: header f9 04 00.
        var item = L([.. Enumerable.Range(0, 256).Select(_ => S("0x616263"))]);
        var encoded = item.Encode();
        encoded[..3].ShouldBe(new byte[] { 0xf9, 0x04, 0x00 });
        encoded.Length.ShouldBe(3 + 1024);
        RlpFraming.TryCheck(encoded, TestDepth, out _).ShouldBeTrue();
        RlpNode.Decode(encoded).ShouldBe(item);
    }

    private static Gen<RlpNode> ItemGen(int size)
    {
        var bytes = Gen.OneOf(
            Gen.Choose(0, 255).Select(b => new[] { (byte)b }),
            Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)),
            Gen.Choose(50, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)));
        var leaf = bytes.Select(RlpNode.String);
        if (size <= 0)
        {
            return leaf;
        }

        var list = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(ItemGen(size / 3), n)).Select(items => RlpNode.List(items));
        return Gen.Frequency((3, leaf), (2, list));
    }

    [Fact]
    public void EncodeDecode_RandomItems_RoundTrip() =>
        Prop.ForAll(Gen.Sized(ItemGen).ToArbitrary(), item =>
        {
            var encoded = item.Encode();
            var decoded = RlpNode.Decode(encoded);
            return RlpFraming.TryCheck(encoded, TestDepth, out _) && decoded.Equals(item)
                && decoded.Encode().AsSpan().SequenceEqual(encoded);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void EncodeElement_RandomIntegers_DecodeToSameCanonicalInteger() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), raw =>
        {
            var value = new BigInteger(raw, isUnsigned: true, isBigEndian: true);
            var encoded = NethereumRlp.EncodeElement(value.ToBytesForRLPEncoding());
            var data = NethereumRlp.Decode(encoded).RLPData ?? [];
            return RlpFraming.TryCheck(encoded, TestDepth, out _)
                && (data.Length == 0 || data[0] != 0)
                && data.ToBigIntegerFromRLPDecoded() == value;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void TryCheck_100000RandomByteStrings_AcceptedOnesDecodeCanonically()
    {
        // Mix pure noise with mutations of valid encodings so that deep paths are reached too.
        var random = new Random(20261122);
        var seeds = Published().Select(row => Hex.Decode((string)row[0])).ToList();
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 80)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Count)].Clone();
                if (input.Length > 0)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (random.Next(4) == 0)
                {
                    input = [.. input, (byte)random.Next(256)];
                }
            }

            if (RlpFraming.TryCheck(input, TestDepth, out var error))
            {
                // Anything accepted decodes with Nethereum and re-encodes to exactly the input.
                RlpNode.Decode(input).Encode().ShouldBe(input);
                accepted++;
            }
            else
            {
                error.ShouldNotBeNullOrEmpty();
            }
        }

        accepted.ShouldBeGreaterThan(0);
    }
}

using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rlp;
using RlpCodec = Settlement.Ethereum.Rlp.Rlp;

namespace Settlement.Ethereum.Tests.Rlp;

public sealed class RlpTests
{
    private static RlpItem S(string hex) => RlpItem.FromBytes(Hex.Decode(hex));

    private static RlpItem L(params RlpItem[] items) => RlpItem.List(items);

    // Examples from the Ethereum wiki's RLP page and the Yellow Paper, appendix B.
    public static TheoryData<string, RlpItem> Published() => new()
    {
        { "0x80", RlpItem.Empty },
        { "0x00", S("0x00") },
        { "0x0f", S("0x0f") },
        { "0x7f", S("0x7f") },
        { "0x8180", S("0x80") },
        { "0x820400", S("0x0400") },
        { "0x83646f67", S("0x646f67") },
        { "0xc0", RlpItem.EmptyList },
        { "0xc88363617483646f67", L(S("0x636174"), S("0x646f67")) },
        { "0xc7c0c1c0c3c0c1c0", L(RlpItem.EmptyList, L(RlpItem.EmptyList), L(RlpItem.EmptyList, L(RlpItem.EmptyList))) },
        {
            // "Lorem ipsum dolor sit amet, consectetur adipisicing elit" (56 bytes: long form)
            "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974",
            S("0x4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974")
        },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Encode_PublishedExamples_MatchBytes(string expected, RlpItem item) =>
        Hex.Encode(RlpCodec.Encode(item)).ShouldBe(expected);

    [Theory]
    [MemberData(nameof(Published))]
    public void Decode_PublishedExamples_GiveItem(string encoded, RlpItem expected) =>
        RlpCodec.Decode(Hex.Decode(encoded)).ShouldBe(expected);

    [Theory]
    [InlineData(0, "0x80")]
    [InlineData(15, "0x0f")]
    [InlineData(1024, "0x820400")]
    [InlineData(127, "0x7f")]
    [InlineData(128, "0x8180")]
    public void FromInteger_PublishedExamples_MatchBytes(long value, string expected) =>
        Hex.Encode(RlpCodec.Encode(RlpItem.FromInteger(new BigInteger(value)))).ShouldBe(expected);

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
    public void TryDecode_NonCanonicalOrTruncated_RejectsWithReason(string hex, string reason)
    {
        RlpCodec.TryDecode(Hex.Decode(hex), out var item, out var error).ShouldBeFalse();
        item.ShouldBeNull();
        error.ShouldContain(reason);
        Should.Throw<FormatException>(() => RlpCodec.Decode(Hex.Decode(hex)));
    }

    [Fact]
    public void TryDecode_NestingDeeperThanLimit_Rejects()
    {
        var depth = RlpCodec.MaxDepth + 1;
        var item = RlpItem.EmptyList;
        for (var i = 0; i < depth; i++)
        {
            item = L(item);
        }

        var encoded = RlpCodec.Encode(item);
        RlpCodec.TryDecode(encoded, out _, out var error).ShouldBeFalse();
        error.ShouldContain("nested deeper");
    }

    [Theory]
    [InlineData("0x", true, "0")]
    [InlineData("0x01", true, "1")]
    [InlineData("0x00", false, "")]
    [InlineData("0x0001", false, "")]
    public void TryGetInteger_CanonicalOnly(string bytes, bool ok, string value)
    {
        RlpItem.FromBytes(Hex.Decode(bytes)).TryGetInteger(out var v).ShouldBe(ok);
        if (ok)
        {
            v.ShouldBe(BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void TryGetUInt64_NineBytes_Rejects() =>
        RlpItem.FromBytes(Hex.Decode("0x010000000000000000")).TryGetUInt64(out _).ShouldBeFalse();

    [Fact]
    public void Encode_LongLists_UseMultiByteLengths()
    {
        // A list whose payload is 1024 bytes: header f9 04 00.
        var item = L(Enumerable.Range(0, 256).Select(_ => S("0x616263")).ToArray());
        var encoded = RlpCodec.Encode(item);
        encoded[..3].ShouldBe(new byte[] { 0xf9, 0x04, 0x00 });
        encoded.Length.ShouldBe(3 + 1024);
        RlpCodec.Decode(encoded).ShouldBe(item);
    }

    private static Gen<RlpItem> ItemGen(int size)
    {
        var bytes = Gen.OneOf(
            Gen.Choose(0, 255).Select(b => new[] { (byte)b }),
            Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)),
            Gen.Choose(50, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)));
        var leaf = bytes.Select(b => RlpItem.FromBytes(b));
        if (size <= 0)
        {
            return leaf;
        }

        var list = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(ItemGen(size / 3), n)).Select(items => RlpItem.List(items));
        return Gen.Frequency((3, leaf), (2, list));
    }

    [Fact]
    public void EncodeDecode_RandomItems_RoundTrip() =>
        Prop.ForAll(Gen.Sized(ItemGen).ToArbitrary(), item =>
        {
            var encoded = RlpCodec.Encode(item);
            return RlpCodec.TryDecode(encoded, out var decoded) && decoded.Equals(item)
                && RlpCodec.Encode(decoded).AsSpan().SequenceEqual(encoded);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Encode_RandomIntegers_DecodeToSameCanonicalInteger() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), raw =>
        {
            var value = new BigInteger(raw, isUnsigned: true, isBigEndian: true);
            var item = RlpCodec.Decode(RlpCodec.Encode(RlpItem.FromInteger(value)));
            return item.TryGetInteger(out var back, maxBytes: int.MaxValue) && back == value;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void TryDecode_100000RandomByteStrings_OnlyCleanResults()
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

            if (RlpCodec.TryDecode(input, out var item, out var error))
            {
                // Anything accepted must be canonical: re-encoding reproduces the input exactly.
                RlpCodec.Encode(item).ShouldBe(input);
                accepted++;
            }
            else
            {
                item.ShouldBeNull();
                error.ShouldNotBeNullOrEmpty();
            }
        }

        accepted.ShouldBeGreaterThan(0);
    }
}

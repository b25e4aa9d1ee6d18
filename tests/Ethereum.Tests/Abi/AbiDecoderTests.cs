using System.Numerics;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Abi;

public sealed class AbiDecoderTests
{
    private static byte[] Words(params string[] words) =>
        words.SelectMany(w => Hex.Decode(w.PadLeft(64, '0'))).ToArray();

    [Theory]
    [InlineData("uint8", "100")]
    [InlineData("uint248", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("address", "010000000000000000000000" + "0000000000000000000000000000000000000001")]
    [InlineData("bool", "2")]
    [InlineData("bool", "100")]
    [InlineData("bytes2", "ffff00000000000000000000000000000000000000000000000000000000ff00")]
    [InlineData("int8", "80")]
    [InlineData("int8", "ff00000000000000000000000000000000000000000000000000000000000001")]
    public void TryDecode_DirtyHighBitsOrPadding_Rejected(string type, string word)
    {
        AbiDecoder.TryDecode([AbiType.Parse(type)], Words(word), out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
        Should.Throw<FormatException>(() => AbiDecoder.Decode(AbiType.Parse(type), Words(word)));
    }

    [Fact]
    public void Decode_NegativeInt8SignExtended_ReturnsNegative() =>
        AbiDecoder.Decode(AbiType.Int(8), Words("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"))
            .ShouldBe(new BigInteger(-128));

    [Fact]
    public void TryDecode_OffsetOutsideData_Rejected() =>
        AbiDecoder.TryDecode([AbiType.Bytes], Words("40"), out _).ShouldBeFalse();

    [Fact]
    public void TryDecode_LengthBeyondData_Rejected() =>
        AbiDecoder.TryDecode([AbiType.Bytes], Words("20", "21", "00"), out _).ShouldBeFalse();

    [Fact]
    public void TryDecode_HugeArrayLength_RejectedWithoutAllocating() =>
        AbiDecoder.TryDecode([AbiType.Parse("uint256[]")], Words("20", "ffffffffffffffff"), out _, out var error).ShouldBeFalse();

    [Fact]
    public void TryDecode_ArrayElementsAllPointingAtOneBlob_RejectedAsOverlap()
    {
        // bytes[] of 4 elements whose offsets all point at the same 64-byte blob: a valid encoding never
        // reads a word twice, this one would read the blob four times.
        var data = Words("20", "4", "80", "80", "80", "80", "40", "aa", "bb");
        AbiDecoder.TryDecode([AbiType.Parse("bytes[]")], data, out _, out var error).ShouldBeFalse();
        error.ShouldContain("overlap");

        var canonical = AbiEncoder.Encode(AbiType.Parse("bytes[]"), new object?[] { new byte[] { 1 } });
        AbiDecoder.TryDecode([AbiType.Parse("bytes[]")], canonical, out _).ShouldBeTrue();
    }

    [Fact]
    public void TryDecode_InvalidUtf8String_Rejected() =>
        AbiDecoder.TryDecode([AbiType.String], Words("20", "2", "c328000000000000000000000000000000000000000000000000000000000000"), out _)
            .ShouldBeFalse();

    [Fact]
    public void TryDecode_TrailingBytes_Accepted() =>
        AbiDecoder.Decode(AbiType.UInt256, Words("7", "99")).ShouldBe(new BigInteger(7));

    [Fact]
    public void TryDecode_Truncated_Rejected() =>
        AbiDecoder.TryDecode([AbiType.UInt256, AbiType.Bool], Words("7", "1")[..40], out _).ShouldBeFalse();

    [Fact]
    public void Decode_SolidityDocsExample_ReturnsValues()
    {
        // Solidity ABI spec example: f(uint256,uint32[],bytes10,bytes) with (0x123, [0x456, 0x789], "1234567890", "Hello, world!").
        var types = new[] { AbiType.UInt256, AbiType.Parse("uint32[]"), AbiType.FixedBytes(10), AbiType.Bytes };
        var values = new object?[]
        {
            new BigInteger(0x123), new object?[] { new BigInteger(0x456), new BigInteger(0x789) },
            "1234567890"u8.ToArray(), "Hello, world!"u8.ToArray(),
        };
        var encoded = AbiEncoder.Encode(types, values);
        Hex.Encode(encoded, prefix: false).ShouldBe(
            "0000000000000000000000000000000000000000000000000000000000000123" +
            "0000000000000000000000000000000000000000000000000000000000000080" +
            "3132333435363738393000000000000000000000000000000000000000000000" +
            "00000000000000000000000000000000000000000000000000000000000000e0" +
            "0000000000000000000000000000000000000000000000000000000000000002" +
            "0000000000000000000000000000000000000000000000000000000000000456" +
            "0000000000000000000000000000000000000000000000000000000000000789" +
            "000000000000000000000000000000000000000000000000000000000000000d" +
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
        AbiTestValues.Canon(AbiDecoder.Decode(types, encoded)).ShouldBe(AbiTestValues.Canon(values));
    }

    [Theory]
    [InlineData("uint8", 256)]
    [InlineData("uint8", -1)]
    [InlineData("int8", 128)]
    [InlineData("int8", -129)]
    public void Encode_OutOfRange_Throws(string type, int value) =>
        Should.Throw<ArgumentOutOfRangeException>(() => AbiEncoder.Encode(AbiType.Parse(type), new BigInteger(value)));

    [Fact]
    public void Encode_WrongValueKinds_Throw()
    {
        Should.Throw<ArgumentException>(() => AbiEncoder.Encode(AbiType.Bool, 1));
        Should.Throw<ArgumentException>(() => AbiEncoder.Encode(AbiType.FixedBytes(4), new byte[3]));
        Should.Throw<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse("uint8[2]"), new object?[] { BigInteger.One }));
        Should.Throw<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse("(uint8,bool)"), new object?[] { BigInteger.One }));
        Should.Throw<ArgumentException>(() => AbiEncoder.Encode([AbiType.Bool], []));
    }

    [Fact]
    public void Encode_PrimitiveIntegersAndAddressStrings_Accepted()
    {
        var a = "0x00000000000000000000000000000000000000aa";
        AbiEncoder.Encode([AbiType.UInt(64), AbiType.Int(16), AbiType.Address], [ulong.MaxValue, (short)-2, a])
            .ShouldBe(AbiEncoder.Encode([AbiType.UInt(64), AbiType.Int(16), AbiType.Address], [new BigInteger(ulong.MaxValue), new BigInteger(-2), Address.Parse(a)]));
    }
}

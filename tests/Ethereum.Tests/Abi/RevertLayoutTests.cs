using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Ethereum.Abi;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>
/// The layout check <see cref="RevertReason"/> runs before Nethereum decodes untrusted revert data: nesting and work
/// bounds, array lengths against the bytes present, offsets at the edges, and the names and texts it reports.
/// </summary>
public sealed class RevertLayoutTests
{
    [Fact]
    public void TryDecode_ErrorAndPanic_NamedErrorAndPanic()
    {
        RevertReason.TryDecode(Data(Error("Error", "string"), "x"), null, out var reason).ShouldBeTrue();
        reason.Name.ShouldBe("Error");
        RevertReason.TryDecode(Data(Error("Panic", "uint256"), new BigInteger(0x32)), null, out reason).ShouldBeTrue();
        reason.Name.ShouldBe("Panic");
        reason.Message.ShouldBe("array index out of bounds");
    }

    [Theory]
    [InlineData(0x00, "generic compiler panic")]
    [InlineData(0x01, "assertion failed")]
    [InlineData(0x11, "arithmetic overflow or underflow")]
    [InlineData(0x12, "division or modulo by zero")]
    [InlineData(0x21, "conversion to an enum out of range")]
    [InlineData(0x22, "incorrectly encoded storage byte array")]
    [InlineData(0x31, "pop() on an empty array")]
    [InlineData(0x32, "array index out of bounds")]
    [InlineData(0x41, "out of memory (allocation too large)")]
    [InlineData(0x51, "call to a zero-initialised internal function")]
    [InlineData(0x99, "unknown panic code")]
    public void DescribePanic_EveryCodeOfSolidity_ItsMeaning(int code, string meaning) =>
        RevertReason.DescribePanic(code).ShouldBe(meaning);

    [Fact]
    public void ToString_CustomErrorArguments_RenderedByKind()
    {
        var error = Error("Mixed", "bytes", "string", "bool", "bool", "uint256[]", "address");
        var who = Settlement.Ethereum.Addresses.Address.Parse("0x00000000000000000000000000000000000000aa");
        RevertReason.TryDecode(
            Data(error, new byte[] { 0xab, 0xcd }, "why", true, false, new List<BigInteger> { 1, 2 }, who.ToString()), [error], out var reason).ShouldBeTrue();
        reason!.ToString().ShouldBe($"Mixed(0xabcd, \"why\", true, false, [1, 2], {who})");
    }

    [Fact]
    public void TryDecode_NestingOf16_DecodedAnd17_Refused()
    {
        var sixteen = Error("Deep", "uint256" + string.Concat(Enumerable.Repeat("[]", 16)));
        var seventeen = Error("Deep", "uint256" + string.Concat(Enumerable.Repeat("[]", 17)));
        RevertReason.TryDecode(Data(sixteen, Nest(16)), [sixteen], out _).ShouldBeTrue();
        RevertReason.TryDecode(Data(seventeen, Nest(17)), [seventeen], out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_StaticTuplesNested16_DecodedAnd17_Refused()
    {
        static string Type(int depth) => string.Concat(Enumerable.Repeat("(", depth)) + "uint256" + string.Concat(Enumerable.Repeat(")", depth));
        static object Value(int depth) => depth == 0 ? new BigInteger(5) : new object[] { Value(depth - 1) };
        for (var depth = 1; depth <= 16; depth++)
        {
            var error = Error("Deep", Type(depth));
            RevertReason.TryDecode(Data(error, Value(depth)), [error], out _).ShouldBeTrue($"depth {depth}");
        }

        var seventeen = Error("Deep", Type(17));
        RevertReason.TryDecode(Data(seventeen, Value(17)), [seventeen], out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_ArrayLengthBeyondTheBytes_RefusedWithoutAllocating()
    {
        var error = Error("Many", "uint256[]");
        var data = Data(error, new List<BigInteger> { 7, 8 });
        RevertReason.TryDecode(data, [error], out _).ShouldBeTrue();

        var oneTooMany = data.ToArray();
        oneTooMany[4 + 63] = 3; // length 3, two words present
        RevertReason.TryDecode(oneTooMany, [error], out _).ShouldBeFalse();

        var huge = data.ToArray();
        huge[4 + 60] = 0x7f; // length 0x7f0000xx: a 16 GiB element list if it were allocated
        RevertReason.TryDecode(huge, [error], out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_InnerArraysAllPointingAtOneBlob_RefusedButDistinctOnesDecoded()
    {
        var error = Error("Grid", "uint256[][]");
        var row = Enumerable.Range(0, 30).Select(i => new BigInteger(i)).ToList();
        var distinct = Data(error, Enumerable.Range(0, 30).Select(_ => (object)row.ToList()).ToList());
        RevertReason.TryDecode(distinct, [error], out var reason).ShouldBeTrue();
        reason.Arguments.Count.ShouldBe(1);

        // The same shape with every outer offset pointing at the first inner array: 30 x 30 words of work
        // over ~2 KB of data, past the budget of four visits per word.
        var body = distinct.AsSpan(4).ToArray();
        var firstInner = body.AsSpan(64, 32).ToArray();
        for (var i = 1; i < 30; i++)
        {
            firstInner.CopyTo(body, 64 + (32 * i));
        }

        var shared = (byte[])[.. distinct.AsSpan(0, 4), .. body.AsSpan(0, 64 + (32 * 30) + (32 * 31))];
        RevertReason.TryDecode(shared, [error], out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_StringOffsetPointingAtItself_DecodesEmpty()
    {
        // One zero word: the offset (0) points at itself, where the length (0) is read: an empty message.
        var error = Error("Error", "string");
        var data = (byte[])[.. error.Sha3Signature.HexToByteArray(), .. new byte[32]];
        RevertReason.TryDecode(data, null, out var reason).ShouldBeTrue();
        reason.Message.ShouldBe(string.Empty);
        RevertReason.TryDecode(data[..^1], null, out _).ShouldBeFalse();
    }

    private static ErrorABI Error(string name, params string[] types) =>
        new(name) { InputParameters = NethereumAbiValues.Parameters(string.Join(", ", types)) };

    private static byte[] Data(ErrorABI error, params object[] values) =>
        ("0x" + error.Sha3Signature + new ParametersEncoder().EncodeParameters(error.InputParameters, values).ToHex()).HexToByteArray();

    private static object Nest(int depth) => depth == 0 ? new BigInteger(5) : new List<object> { Nest(depth - 1) };
}

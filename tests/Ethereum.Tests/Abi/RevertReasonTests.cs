using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Ethereum.Abi;

namespace Settlement.Ethereum.Tests.Abi;

public sealed class RevertReasonTests
{
    private static readonly ErrorABI[] Errors = new ABIStringSignatureDeserialiser().ExtractContractABI(
        "error Insufficient(uint256 have, uint256 need)",
        "error Refused(address who, string why)").Errors;

    private static readonly byte[] ErrorNope = (
        "0x08c379a0" +
        "0000000000000000000000000000000000000000000000000000000000000020" +
        "0000000000000000000000000000000000000000000000000000000000000004" +
        "6e6f706500000000000000000000000000000000000000000000000000000000").HexToByteArray();

    [Fact]
    public void TryDecode_ErrorString_MessageAndText()
    {
        RevertReason.TryDecode(ErrorNope, null, out var reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Error);
        reason.Message.ShouldBe("nope");
        reason.ToString().ShouldBe("Error(\"nope\")");
    }

    [Fact]
    public void TryDecode_Panic_CodeAndDescription()
    {
        var panic = ("0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011").HexToByteArray();
        RevertReason.TryDecode(panic, null, out var reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Panic);
        reason.PanicCode.ShouldBe(new BigInteger(0x11));
        reason.ToString().ShouldBe("Panic(0x11: arithmetic overflow or underflow)");
        RevertReason.DescribePanic(0x32).ShouldBe("array index out of bounds");
        RevertReason.DescribePanic(0x12).ShouldBe("division or modulo by zero");
        RevertReason.DescribePanic(0x01).ShouldBe("assertion failed");
    }

    [Fact]
    public void TryDecode_CustomErrors_NeedTheirAbiAndDecodeAddresses()
    {
        var custom = Encode(Errors[0], BigInteger.One, new BigInteger(2));
        RevertReason.TryDecode(custom, Errors, out var reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Custom);
        reason.ToString().ShouldBe("Insufficient(1, 2)");
        RevertReason.TryDecode(custom, null, out _).ShouldBeFalse();

        var who = Settlement.Ethereum.Addresses.Address.Parse("0x00000000000000000000000000000000000000aa");
        RevertReason.TryDecode(Encode(Errors[1], who.ToString(), "late"), Errors, out reason).ShouldBeTrue();
        reason.Arguments.ShouldBe(new object?[] { who, "late" });
    }

    [Theory]
    [InlineData(0)] // nothing
    [InlineData(3)] // part of a selector
    [InlineData(40)] // the offset word cut short
    [InlineData(99)] // the message cut short
    public void TryDecode_Truncated_False(int length) =>
        RevertReason.TryDecode(ErrorNope[..length], Errors, out _).ShouldBeFalse();

    [Fact]
    public void TryDecode_OffsetOrLengthPastTheData_False()
    {
        var badOffset = ErrorNope.ToArray();
        badOffset[4 + 31] = 0x60; // points past the end
        RevertReason.TryDecode(badOffset, null, out _).ShouldBeFalse();

        var badLength = ErrorNope.ToArray();
        badLength[4 + 63] = 0x21; // 33 bytes claimed, 32 present
        RevertReason.TryDecode(badLength, null, out _).ShouldBeFalse();

        var hugeLength = ErrorNope.ToArray();
        hugeLength[4 + 32] = 0xff; // a length word above 2^224
        RevertReason.TryDecode(hugeLength, null, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_AddressWordWithDirtyHighBytes_False()
    {
        var data = Encode(Errors[1], "0x00000000000000000000000000000000000000aa", "x");
        RevertReason.TryDecode(data, Errors, out _).ShouldBeTrue();
        data[4 + 3] = 1; // inside the 12 bytes above the 20-byte address
        RevertReason.TryDecode(data, Errors, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_RandomAndMutatedData_NeverThrows()
    {
        var valid = new[] { ErrorNope, Encode(Errors[0], BigInteger.One, BigInteger.One), Encode(Errors[1], "0x00000000000000000000000000000000000000aa", "x") };
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var data = valid[random.Next(valid.Length)].ToArray();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            var cut = random.Next(3) == 0 ? data[..random.Next(data.Length + 1)] : data;
            _ = RevertReason.TryDecode(cut, Errors, out _);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
    }

    private static byte[] Encode(ErrorABI error, params object[] values) =>
        ("0x" + error.Sha3Signature + new ParametersEncoder().EncodeParameters(error.InputParameters, values).ToHex()).HexToByteArray();
}

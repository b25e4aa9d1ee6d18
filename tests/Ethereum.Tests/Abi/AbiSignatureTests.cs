using System.Numerics;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Tests.Abi;

public sealed class AbiSignatureTests
{
    [Fact]
    public void Parse_Erc20Transfer_KnownSelector()
    {
        var f = AbiFunction.Parse("function transfer(address to, uint256 amount) returns (bool)");
        f.SelectorHex.ShouldBe("0xa9059cbb");
        f.Inputs.Select(p => p.Name).ShouldBe(["to", "amount"]);
        f.Outputs.Single().Type.ShouldBe(AbiType.Bool);
    }

    [Theory]
    [InlineData("function f(uint256 a, (address,bytes)[] b) returns (bool)", "f(uint256,(address,bytes)[])")]
    [InlineData("f(uint a, int b)", "f(uint256,int256)")]
    [InlineData("function g(tuple(address to, uint256[2][] amounts)[3] memory xs) external view", "g((address,uint256[2][])[3])")]
    [InlineData("function h(address payable p, bytes calldata d) payable", "h(address,bytes)")]
    [InlineData("function none()", "none()")]
    public void Parse_HumanReadable_CanonicalSignature(string text, string canonical) =>
        AbiFunction.Parse(text).Signature.ShouldBe(canonical);

    [Theory]
    [InlineData("function f(uint7)")]
    [InlineData("function f(uint256")]
    [InlineData("function f(bytes33)")]
    [InlineData("function f(uint256[0])")]
    [InlineData("function f(foo)")]
    [InlineData("function (uint256)")]
    [InlineData("function f(uint256) garbage")]
    [InlineData("event E(uint256)")]
    public void Parse_Invalid_ThrowsFormatException(string text) =>
        Should.Throw<FormatException>(() => AbiFunction.Parse(text));

    [Fact]
    public void Event_Transfer_KnownTopicAndDecode()
    {
        var e = AbiEvent.Parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        e.Topic0Hex.ShouldBe("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        var from = Address.Parse("0x00000000000000000000000000000000000000a1");
        var to = Address.Parse("0x00000000000000000000000000000000000000b2");
        var (topics, data) = e.EncodeLog(from, to, new BigInteger(5));
        var decoded = e.Decode(topics, data);
        decoded["from"].ShouldBe(from);
        decoded["to"].ShouldBe(to);
        decoded["value"].ShouldBe(new BigInteger(5));
        Should.Throw<FormatException>(() => e.Decode(topics.Take(2).ToArray(), data));
        Should.Throw<FormatException>(() => e.Decode([new byte[32], topics[1], topics[2]], data));
    }

    [Fact]
    public void EncodeTopic_IndexedArrayAndTuple_HashOfInPlaceEncoding()
    {
        // Solidity ABI spec, "Encoding of indexed event parameters": elements padded to 32 bytes, no length prefixes.
        var arrayTopic = AbiEvent.EncodeTopic(AbiType.Parse("uint8[]"), new object?[] { BigInteger.One, new BigInteger(2) });
        var expected = new byte[64];
        expected[31] = 1;
        expected[63] = 2;
        arrayTopic.ShouldBe(Keccak256.Hash(expected));

        var tupleTopic = AbiEvent.EncodeTopic(AbiType.Parse("(string,bool)"), new object?[] { "ab", true });
        var t = new byte[64];
        t[0] = (byte)'a';
        t[1] = (byte)'b';
        t[63] = 1;
        tupleTopic.ShouldBe(Keccak256.Hash(t));
    }

    [Fact]
    public void ContractAbi_FromSolcArtifact_FindsMembersAndTupleNames()
    {
        const string json = """
            {"contractName":"X","abi":[
              {"type":"constructor","inputs":[]},
              {"type":"function","name":"open","stateMutability":"payable","inputs":[
                {"name":"v","type":"tuple[]","components":[{"name":"to","type":"address"},{"name":"amount","type":"uint256"}]}],
                "outputs":[{"name":"","type":"bytes32"}]},
              {"type":"function","name":"f","inputs":[{"name":"a","type":"uint8"}],"outputs":[]},
              {"type":"function","name":"f","inputs":[{"name":"a","type":"uint16"}],"outputs":[]},
              {"type":"event","name":"Opened","anonymous":false,"inputs":[{"name":"id","type":"bytes32","indexed":true}]},
              {"type":"error","name":"Nope","inputs":[{"name":"code","type":"uint8"}]}
            ]}
            """;
        var abi = ContractAbi.FromJson(json);
        var open = abi.Function("open");
        open.Signature.ShouldBe("open((address,uint256)[])");
        open.StateMutability.ShouldBe("payable");
        open.Inputs[0].Type.ElementType!.Components.Select(c => c.Name).ShouldBe(["to", "amount"]);
        Should.Throw<InvalidOperationException>(() => abi.Function("f"));
        abi.Function("f(uint16)").Inputs[0].Type.ShouldBe(AbiType.UInt(16));
        Should.Throw<KeyNotFoundException>(() => abi.Function("missing"));
        abi.Event("Opened").Inputs[0].Indexed.ShouldBeTrue();
        abi.TryFindEvent(abi.Event("Opened").Topic0, out var found).ShouldBeTrue();
        found!.Name.ShouldBe("Opened");
        abi.Error("Nope").Signature.ShouldBe("Nope(uint8)");
        Should.Throw<FormatException>(() => ContractAbi.FromJson("{\"x\":1}"));
        Should.Throw<FormatException>(() => ContractAbi.FromJson("[{\"type\":\"function\"}]"));
    }

    [Fact]
    public void RevertReason_ErrorPanicCustomAndUnknown()
    {
        var errorData = Hex.Decode("0x08c379a0" +
            "0000000000000000000000000000000000000000000000000000000000000020" +
            "0000000000000000000000000000000000000000000000000000000000000004" +
            "6e6f706500000000000000000000000000000000000000000000000000000000");
        RevertReason.TryDecode(errorData, null, out var reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Error);
        reason.Message.ShouldBe("nope");
        reason.ToString().ShouldBe("Error(\"nope\")");

        var panic = Hex.Decode("0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011");
        RevertReason.TryDecode(panic, null, out reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Panic);
        reason.PanicCode.ShouldBe(new BigInteger(0x11));
        reason.ToString().ShouldBe("Panic(0x11: arithmetic overflow or underflow)");
        RevertReason.DescribePanic(0x32).ShouldBe("array index out of bounds");
        RevertReason.DescribePanic(0x12).ShouldBe("division or modulo by zero");
        RevertReason.DescribePanic(0x01).ShouldBe("assertion failed");

        var abi = ContractAbi.FromJson("""[{"type":"error","name":"Insufficient","inputs":[{"name":"have","type":"uint256"},{"name":"need","type":"uint256"}]}]""");
        var custom = abi.Error("Insufficient").Encode(BigInteger.One, new BigInteger(2));
        RevertReason.TryDecode(custom, abi, out reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Custom);
        reason.ToString().ShouldBe("Insufficient(1, 2)");
        RevertReason.TryDecode(custom, null, out _).ShouldBeFalse();
        RevertReason.TryDecode([], abi, out _).ShouldBeFalse();
        RevertReason.TryDecode(errorData[..40], null, out _).ShouldBeFalse();
    }
}

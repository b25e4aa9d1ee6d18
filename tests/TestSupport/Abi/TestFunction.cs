using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Ethereum.Addresses;

namespace Settlement.Testing.Abi;

/// <summary>
/// A contract function for tests that call contracts without generated bindings (test tokens, probes, attackers):
/// parsed from a human-readable signature or found in an ABI, encoded and decoded by Nethereum. Our
/// <see cref="Address"/> values go in and come out where the ABI says <c>address</c>.
/// </summary>
public sealed class TestFunction
{
    private static readonly FunctionCallEncoder Encoder = new();
    private static readonly FunctionCallDecoder Decoder = new();

    /// <summary>Wraps a Nethereum function ABI.</summary>
    public TestFunction(FunctionABI abi) => Abi = abi ?? throw new ArgumentNullException(nameof(abi));

    /// <summary>The Nethereum function ABI.</summary>
    public FunctionABI Abi { get; }

    /// <summary>Parses <c>function name(type name, …) [view] [returns (type, …)]</c>.</summary>
    public static TestFunction Parse(string signature) =>
        new(new ABIStringSignatureDeserialiser().ExtractContractABI(signature).Functions.Single());

    /// <summary>The call data: selector and ABI-encoded <paramref name="args"/>.</summary>
    public byte[] EncodeCall(params object?[] args) =>
        Encoder.EncodeRequest(Abi.Sha3Signature, Abi.InputParameters, args.Select(TestAbi.ToNethereum).ToArray()!).HexToByteArray();

    /// <summary>The decoded outputs, in order.</summary>
    public object?[] DecodeOutput(byte[] output) =>
        Decoder.DecodeDefaultData(output.ToHex(prefix: true), Abi.OutputParameters)
            .OrderBy(o => o.Parameter.Order)
            .Select(o => TestAbi.FromNethereum(o.Parameter.Type, o.Result))
            .ToArray();
}

using System.Numerics;
using BenchmarkDotNet.Attributes;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Settlement.Ethereum.Hashing;

namespace Settlement.Benchmarks;

/// <summary>
/// ABI encode/decode with Nethereum (the ABI layer since issue 7) of a channel call as the client sends it
/// (<c>redeem((address,address,address,uint32,uint64),uint256,(uint8,bytes32,bytes32))</c>) and of a
/// dynamic array of 50 seven-field tuples (a generic ABI workload: the contract's own <c>redeemBatch</c>
/// now takes packed bytes, see docs/protocol.md, so this is no longer its call data). Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- --filter '*AbiBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class AbiBenchmarks
{
    private static readonly FunctionABI Redeem = Function("""
        {"type":"function","name":"redeem","inputs":[
          {"name":"channel","type":"tuple","components":[{"name":"payer","type":"address"},{"name":"payee","type":"address"},{"name":"token","type":"address"},{"name":"challengePeriod","type":"uint32"},{"name":"nonce","type":"uint64"}]},
          {"name":"cumulativeAmount","type":"uint256"},
          {"name":"sig","type":"tuple","components":[{"name":"v","type":"uint8"},{"name":"r","type":"bytes32"},{"name":"s","type":"bytes32"}]}],"outputs":[]}
        """);

    private static readonly FunctionABI TupleArray = Function("""
        {"type":"function","name":"tupleArray","inputs":[
          {"name":"token","type":"address"},
          {"name":"items","type":"tuple[]","components":[{"name":"payer","type":"address"},{"name":"challengePeriod","type":"uint32"},{"name":"nonce","type":"uint64"},{"name":"cumulativeAmount","type":"uint256"},{"name":"v","type":"uint8"},{"name":"r","type":"bytes32"},{"name":"s","type":"bytes32"}]}],"outputs":[]}
        """);

    private static readonly FunctionCallEncoder Encoder = new();
    private static readonly FunctionCallDecoder Decoder = new();

    private object?[] _redeemArgs = null!;
    private object?[] _batchArgs = null!;
    private string _redeemCall = null!;
    private string _batchCall = null!;

    [GlobalSetup]
    public void Setup()
    {
        const string a = "0x00000000000000000000000000000000000000a1";
        const string b = "0x00000000000000000000000000000000000000b2";
        var r = Keccak256.HashUtf8("r");
        var s = Keccak256.HashUtf8("s");
        _redeemArgs =
        [
            new object?[] { a, b, "0x0000000000000000000000000000000000000000", new BigInteger(3600), new BigInteger(7) },
            BigInteger.Parse("1500000000000000000", System.Globalization.CultureInfo.InvariantCulture),
            new object?[] { new BigInteger(27), r, s },
        ];
        _batchArgs =
        [
            a,
            Enumerable.Range(0, 50).Select(i => (object?)new object?[] { b, new BigInteger(3600), new BigInteger(i), new BigInteger(1000 + i), new BigInteger(28), r, s }).ToList(),
        ];
        _redeemCall = EncodeRedeem();
        _batchCall = EncodeBatch();
    }

    [Benchmark(Description = "encode redeem call (static tuples)")]
    public string EncodeRedeem() => Encoder.EncodeRequest(Redeem.Sha3Signature, Redeem.InputParameters, _redeemArgs!);

    [Benchmark(Description = "decode redeem call")]
    public List<ParameterOutput> DecodeRedeem() => Decoder.DecodeFunctionInput(Redeem.Sha3Signature, _redeemCall, Redeem.InputParameters);

    [Benchmark(Description = "encode tuple[] call, 50 items")]
    public string EncodeBatch() => Encoder.EncodeRequest(TupleArray.Sha3Signature, TupleArray.InputParameters, _batchArgs!);

    [Benchmark(Description = "decode tuple[] call, 50 items")]
    public List<ParameterOutput> DecodeBatch() => Decoder.DecodeFunctionInput(TupleArray.Sha3Signature, _batchCall, TupleArray.InputParameters);

    private static FunctionABI Function(string json) => new ABIJsonDeserialiser().DeserialiseContract("[" + json + "]").Functions[0];
}

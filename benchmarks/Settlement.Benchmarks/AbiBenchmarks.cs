using System.Numerics;
using BenchmarkDotNet.Attributes;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;

namespace Settlement.Benchmarks;

/// <summary>
/// ABI encode/decode of a channel call as the client sends it
/// (<c>redeem((address,address,address,uint32,uint64),uint256,(uint8,bytes32,bytes32))</c>) and of a
/// dynamic array of 50 seven-field tuples (a generic ABI workload: the contract's own <c>redeemBatch</c>
/// now takes packed bytes, see docs/protocol.md, so this is no longer its call data). Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- --filter '*AbiBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class AbiBenchmarks
{
    private static readonly AbiFunction Redeem = AbiFunction.Parse(
        "function redeem((address payer, address payee, address token, uint32 challengePeriod, uint64 nonce) channel, uint256 cumulativeAmount, (uint8 v, bytes32 r, bytes32 s) sig)");

    private static readonly AbiFunction TupleArray = AbiFunction.Parse(
        "function tupleArray(address token, (address payer, uint32 challengePeriod, uint64 nonce, uint256 cumulativeAmount, uint8 v, bytes32 r, bytes32 s)[] items)");

    private object?[] _redeemArgs = null!;
    private object?[] _batchArgs = null!;
    private byte[] _redeemCall = null!;
    private byte[] _batchCall = null!;

    [GlobalSetup]
    public void Setup()
    {
        var a = Address.Parse("0x00000000000000000000000000000000000000a1");
        var b = Address.Parse("0x00000000000000000000000000000000000000b2");
        var r = Keccak256.HashUtf8("r");
        var s = Keccak256.HashUtf8("s");
        _redeemArgs =
        [
            new object?[] { a, b, Address.Zero, new BigInteger(3600), new BigInteger(7) },
            BigInteger.Parse("1500000000000000000", System.Globalization.CultureInfo.InvariantCulture),
            new object?[] { new BigInteger(27), r, s },
        ];
        _batchArgs =
        [
            a,
            Enumerable.Range(0, 50).Select(i => (object?)new object?[] { b, new BigInteger(3600), new BigInteger(i), new BigInteger(1000 + i), new BigInteger(28), r, s }).ToArray(),
        ];
        _redeemCall = Redeem.EncodeCall(_redeemArgs);
        _batchCall = TupleArray.EncodeCall(_batchArgs);
    }

    [Benchmark(Description = "encode redeem call (static tuples)")]
    public byte[] EncodeRedeem() => Redeem.EncodeCall(_redeemArgs);

    [Benchmark(Description = "decode redeem call")]
    public object?[] DecodeRedeem() => Redeem.DecodeInput(_redeemCall);

    [Benchmark(Description = "encode tuple[] call, 50 items")]
    public byte[] EncodeBatch() => TupleArray.EncodeCall(_batchArgs);

    [Benchmark(Description = "decode tuple[] call, 50 items")]
    public object?[] DecodeBatch() => TupleArray.DecodeInput(_batchCall);
}

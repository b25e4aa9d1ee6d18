using System.Numerics;
using BenchmarkDotNet.Attributes;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Benchmarks;

/// <summary>
/// EIP-712 voucher hash / sign / recover next to the raw libsecp256k1 sign and recover on the same
/// digest, measured in the same run (targets: voucher sign ≥ 80% of raw sign, recover ≥ 80% of raw recover).
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- --filter '*Eip712Voucher*'
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class Eip712VoucherBenchmarks
{
    private readonly byte[] _channelId = Keccak256.HashUtf8("benchmark channel");
    private readonly BigInteger _amount = BigInteger.Parse("1500000000000000000", System.Globalization.CultureInfo.InvariantCulture);
    private readonly byte[] _digest = new byte[32];
    private readonly byte[] _secret = Keccak256.HashUtf8("benchmark key");
    private readonly byte[] _rs = new byte[64];
    private readonly byte[] _xy = new byte[64];
    private ChannelTypedData _typed = null!;
    private PrivateKey _key = null!;
    private ISecp256k1Backend _native = null!;
    private EcdsaSignature _signature;
    private int _recoveryId;
    private string _voucherJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        _native = Secp256k1Backends.Native ?? throw new InvalidOperationException("libsecp256k1 is not available.");
        if (Secp256k1Backends.Active != _native)
        {
            throw new InvalidOperationException("The active backend is not libsecp256k1; the comparison would be meaningless.");
        }

        _typed = ChannelTypedData.ForContract(31337, Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
        _key = PrivateKey.Create(_secret);
        _typed.HashVoucher(_channelId, _amount, _digest);
        _signature = _typed.SignVoucher(_key, _channelId, _amount);
        _recoveryId = _native.Sign(_secret, _digest, _rs);
        _voucherJson = _typed.VoucherJson(_channelId, _amount);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "raw libsecp256k1 sign")]
    public int RawSign() => _native.Sign(_secret, _digest, _rs);

    [Benchmark(Description = "EIP-712 voucher sign (hash + sign)")]
    public EcdsaSignature VoucherSign() => _typed.SignVoucher(_key, _channelId, _amount);

    [Benchmark(Description = "raw libsecp256k1 recover")]
    public bool RawRecover() => _native.TryRecover(_digest, _rs, _recoveryId, _xy);

    [Benchmark(Description = "EIP-712 voucher recover (hash + recover + address)")]
    public bool VoucherRecover() => _typed.TryRecoverVoucherSigner(_channelId, _amount, _signature, out _);

    [Benchmark(Description = "EIP-712 voucher hash")]
    public byte VoucherHash()
    {
        _typed.HashVoucher(_channelId, _amount, _digest);
        return _digest[0];
    }

    [Benchmark(Description = "EIP-712 voucher hash via eth_signTypedData_v4 JSON")]
    public byte[] VoucherJsonHash() => Settlement.Ethereum.TypedData.TypedData.Parse(_voucherJson).Hash();
}

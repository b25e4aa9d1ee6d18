using System.Numerics;
using BenchmarkDotNet.Attributes;
using Nethereum.ABI.EIP712;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Benchmarks;

/// <summary>
/// EIP-712 voucher hash / sign / recover next to the raw libsecp256k1 sign and recover on the same
/// digest, measured in the same run (targets since issue 7: voucher sign ≥ 90% of raw sign, recover ≥ 90% of raw
/// recover; the paired run, <c>-- paired</c>, reports them), and Nethereum's typed EIP-712 signer for comparison.
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
    private EthECKey _nethereumKey = null!;
    private TypedData<Domain> _nethereumTypedData = null!;
    private NethereumVoucher _nethereumVoucher = null!;

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
        _nethereumKey = new EthECKey(_secret, isPrivate: true);
        _nethereumVoucher = NethereumVoucher.From(new Voucher(ChannelId.FromBytes(_channelId), _amount));
        _nethereumTypedData = NethereumVoucher.TypedDataFor(new ChannelDomain(31337, Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3")));
        var theirs = Eip712TypedDataSigner.Current.SignTypedDataV4(_nethereumVoucher, _nethereumTypedData, _nethereumKey);
        if (theirs != Settlement.Ethereum.Encoding.Hex.Encode(_signature.ToRsv()))
        {
            throw new InvalidOperationException("Nethereum's voucher signature differs from ours; the comparison would be meaningless.");
        }
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

    [Benchmark(Description = "Nethereum EIP-712 voucher sign (typed, EthECKey)")]
    public string NethereumVoucherSign() => Eip712TypedDataSigner.Current.SignTypedDataV4(_nethereumVoucher, _nethereumTypedData, _nethereumKey);

    [Benchmark(Description = "EIP-712 voucher hash via eth_signTypedData_v4 JSON")]
    public byte[] VoucherJsonHash() => Settlement.Ethereum.TypedData.TypedData.Parse(_voucherJson).Hash();
}

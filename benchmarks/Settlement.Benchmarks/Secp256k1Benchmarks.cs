using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Benchmarks;

/// <summary>
/// secp256k1 sign and recover through our types on both backends, each next to the raw
/// libsecp256k1 call (direct P/Invoke, no wrapper) measured in the same run; the Ratio column is
/// relative to that raw figure within each category.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- --filter '*Secp256k1*' --job short
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class Secp256k1Benchmarks : IDisposable
{
    private readonly byte[] _hash = Keccak256.HashUtf8("benchmark message");
    private readonly byte[] _secret = Keccak256.HashUtf8("benchmark key");
    private readonly byte[] _rawSignature = new byte[65];
    private readonly byte[] _rawCompact = new byte[64];
    private readonly byte[] _rawPublicKey = new byte[64];
    private readonly byte[] _data100 = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
    private readonly byte[] _digest = new byte[32];
    private LibSecp256k1Backend _native = null!;
    private PrivateKey _nativeKey = null!;
    private PrivateKey _managedKey = null!;
    private EcdsaSignature _signature;
    private int _rawRecoveryId;

    [GlobalSetup]
    public void Setup()
    {
        _native = Secp256k1Backends.Native ?? throw new InvalidOperationException("libsecp256k1.so.1 is needed for the baseline.");
        _nativeKey = PrivateKey.Create(_secret, _native);
        _managedKey = PrivateKey.Create(_secret, Secp256k1Backends.BouncyCastle);
        _signature = _nativeKey.Sign(_hash);
        RawSign();
        fixed (byte* compact = _rawCompact)
        fixed (byte* signature = _rawSignature)
        {
            int recoveryId;
            LibSecp256k1Native.RecoverableSignatureSerializeCompact(_native.Context, compact, &recoveryId, signature);
            _rawRecoveryId = recoveryId;
        }

        if (_managedKey.Sign(_hash) != _signature || RecoverNative() != _nativeKey.Address || RecoverBouncyCastle() != _nativeKey.Address)
        {
            throw new InvalidOperationException("Backends disagree; benchmarks would be meaningless.");
        }
    }

    [BenchmarkCategory("sign"), Benchmark(Baseline = true, Description = "raw libsecp256k1 sign_recoverable")]
    public int RawSign()
    {
        fixed (byte* signature = _rawSignature)
        fixed (byte* hash = _hash)
        fixed (byte* key = _secret)
        {
            return LibSecp256k1Native.SignRecoverable(_native.Context, signature, hash, key, 0, 0);
        }
    }

    [BenchmarkCategory("sign"), Benchmark(Description = "PrivateKey.Sign (libsecp256k1)")]
    public EcdsaSignature SignNative() => _nativeKey.Sign(_hash);

    [BenchmarkCategory("sign"), Benchmark(Description = "PrivateKey.Sign (BouncyCastle)")]
    public EcdsaSignature SignBouncyCastle() => _managedKey.Sign(_hash);

    // EIP-712 voucher sign rows go here (category "sign", so their ratio is to the raw sign above).

    [BenchmarkCategory("recover"), Benchmark(Baseline = true, Description = "raw libsecp256k1 parse_compact + recover")]
    public int RawRecover()
    {
        byte* signature = stackalloc byte[65];
        fixed (byte* compact = _rawCompact)
        fixed (byte* hash = _hash)
        fixed (byte* publicKey = _rawPublicKey)
        {
            LibSecp256k1Native.RecoverableSignatureParseCompact(_native.Context, signature, compact, _rawRecoveryId);
            return LibSecp256k1Native.Recover(_native.Context, publicKey, signature, hash);
        }
    }

    [BenchmarkCategory("recover"), Benchmark(Description = "EcdsaSignature.RecoverAddress (libsecp256k1)")]
    public Address RecoverNative() =>
        _signature.TryRecoverAddress(_native, _hash, out var address) ? address : throw new InvalidOperationException();

    [BenchmarkCategory("recover"), Benchmark(Description = "EcdsaSignature.RecoverAddress (BouncyCastle)")]
    public Address RecoverBouncyCastle() =>
        _signature.TryRecoverAddress(Secp256k1Backends.BouncyCastle, _hash, out var address) ? address : throw new InvalidOperationException();

    // EIP-712 voucher recover/hash rows go here (category "recover" or "hash").

    [BenchmarkCategory("hash"), Benchmark(Description = "Keccak-256, 100 bytes")]
    public byte[] Keccak100()
    {
        Keccak256.Hash(_data100, _digest);
        return _digest;
    }

    public void Dispose()
    {
        _nativeKey?.Dispose();
        _managedKey?.Dispose();
        GC.SuppressFinalize(this);
    }
}

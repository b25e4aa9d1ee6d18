using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

/// <summary>libsecp256k1 and the BouncyCastle fallback must agree on every output.</summary>
public sealed class BackendCrossCheckTests
{
    private readonly ISecp256k1Backend _native = Backends.Get(Backends.Native);
    private readonly ISecp256k1Backend _managed = Backends.Get(Backends.Managed);

    [Fact]
    public void Sign_RandomKeysAndMessages_BothBackendsIdentical()
    {
        var random = new Random(20261122);
        var key = new byte[32];
        var hash = new byte[32];
        Span<byte> nativeSig = stackalloc byte[64];
        Span<byte> managedSig = stackalloc byte[64];
        Span<byte> nativePub = stackalloc byte[64];
        Span<byte> managedPub = stackalloc byte[64];
        Span<byte> nativeRecovered = stackalloc byte[64];
        Span<byte> managedRecovered = stackalloc byte[64];
        var recoveryIds = new int[2];
        for (var i = 0; i < 1500; i++)
        {
            random.NextBytes(key);
            random.NextBytes(hash);
            if (!Secp256k1Scalars.IsInRange(key))
            {
                continue;
            }

            _native.IsValidSecretKey(key).ShouldBeTrue();
            _managed.IsValidSecretKey(key).ShouldBeTrue();
            _native.DerivePublicKey(key, nativePub);
            _managed.DerivePublicKey(key, managedPub);
            managedPub.SequenceEqual(nativePub).ShouldBeTrue($"public key differs at case {i}");

            var nativeId = _native.Sign(key, hash, nativeSig);
            var managedId = _managed.Sign(key, hash, managedSig);
            managedSig.SequenceEqual(nativeSig).ShouldBeTrue($"signature differs at case {i}");
            managedId.ShouldBe(nativeId, $"recovery id differs at case {i}");
            Secp256k1Scalars.IsLowS(nativeSig[32..]).ShouldBeTrue();
            recoveryIds[nativeId & 1]++;

            _native.TryRecover(hash, nativeSig, nativeId, nativeRecovered).ShouldBeTrue();
            _managed.TryRecover(hash, nativeSig, nativeId, managedRecovered).ShouldBeTrue();
            nativeRecovered.SequenceEqual(nativePub).ShouldBeTrue($"native recovery differs at case {i}");
            managedRecovered.SequenceEqual(nativePub).ShouldBeTrue($"managed recovery differs at case {i}");
        }

        // Both parities occurred, so the recovery-id logic was exercised both ways.
        recoveryIds[0].ShouldBeGreaterThan(500);
        recoveryIds[1].ShouldBeGreaterThan(500);
    }

    [Fact]
    public void TryRecover_RandomSignatures_BothBackendsAgree()
    {
        // Random r, s and recovery ids, including high s and r values whose x is not on the curve:
        // the backends must accept and reject the same inputs and recover the same keys.
        var random = new Random(7);
        var hash = new byte[32];
        var rs = new byte[64];
        Span<byte> nativeKey = stackalloc byte[64];
        Span<byte> managedKey = stackalloc byte[64];
        var recovered = 0;
        for (var i = 0; i < 1000; i++)
        {
            random.NextBytes(hash);
            random.NextBytes(rs);
            if (i % 10 == 0)
            {
                rs.AsSpan(0, 32).Fill(0xFF); // r >= n
            }

            var recoveryId = random.Next(4);
            var nativeOk = _native.TryRecover(hash, rs, recoveryId, nativeKey);
            var managedOk = _managed.TryRecover(hash, rs, recoveryId, managedKey);
            managedOk.ShouldBe(nativeOk, $"acceptance differs at case {i}");
            if (nativeOk)
            {
                recovered++;
                managedKey.SequenceEqual(nativeKey).ShouldBeTrue($"recovered key differs at case {i}");
            }
        }

        recovered.ShouldBeGreaterThan(200);
        recovered.ShouldBeLessThan(900);
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Sign_ConcurrentThreads_SameResultsAsSequential(string backendName)
    {
        // One shared native context and per-thread BouncyCastle state: signing from many threads
        // at once must give exactly the sequential results.
        var backend = Backends.Get(backendName);
        var vectors = SigningVectors.Cases;
        var sequential = vectors.Select(v =>
        {
            using var key = PrivateKey.Create(v.PrivateKey, backend);
            return key.Sign(v.Hash);
        }).ToArray();
        var concurrent = new EcdsaSignature[vectors.Count];
        Parallel.For(0, vectors.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var v = vectors[i % vectors.Count];
            using var key = PrivateKey.Create(v.PrivateKey, backend);
            var signature = key.Sign(v.Hash);
            if (signature != sequential[i % vectors.Count])
            {
                throw new InvalidOperationException($"concurrent signature {i} differs");
            }

            concurrent[i % vectors.Count] = signature;
        });
        concurrent.ShouldBe(sequential);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", false)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001", true)]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", true)]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", false)]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false)]
    public void IsValidSecretKey_Boundaries_BothBackendsAgree(string hex, bool expected)
    {
        var key = Convert.FromHexString(hex);
        _native.IsValidSecretKey(key).ShouldBe(expected);
        _managed.IsValidSecretKey(key).ShouldBe(expected);
    }
}

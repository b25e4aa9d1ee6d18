using CryptographicOperations = System.Security.Cryptography.CryptographicOperations;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;

namespace Settlement.Ethereum.Signing;

/// <summary>
/// secp256k1 in managed code on BouncyCastle's specialised curve (<c>CustomNamedCurves</c>, with the
/// GLV endomorphism; the generic <c>SecNamedCurves</c> curve is about four times slower). The ECDSA
/// loop is written out here rather than taken from <c>ECDsaSigner</c> because the recovery id needs
/// the nonce point R, which <c>ECDsaSigner</c> does not expose. Nonces follow RFC 6979 with
/// HMAC-SHA256 (section 3.2), exactly as libsecp256k1's default nonce function does.
/// </summary>
internal sealed class BouncyCastleSecp256k1Backend : ISecp256k1Backend
{
    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECCurve Curve = Parameters.Curve;
    private static readonly ECPoint G = Parameters.G;
    private static readonly BigInteger N = Parameters.N;
    private static readonly BigInteger HalfN = N.ShiftRight(1);
    private static readonly BigInteger P = Curve.Field.Characteristic;
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    [ThreadStatic]
    private static HMacDsaKCalculator? t_kCalculator;

    /// <summary>The one instance (the type holds no state of its own).</summary>
    public static BouncyCastleSecp256k1Backend Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "BouncyCastle";

    /// <inheritdoc />
    public bool IsValidSecretKey(ReadOnlySpan<byte> secretKey) => Secp256k1Scalars.IsInRange(secretKey);

    /// <inheritdoc />
    public void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKeyXy)
    {
        var d = ToScalar(secretKey);
        var point = BaseMultiplier.Multiply(G, d).Normalize();
        WritePoint(point, publicKeyXy);
    }

    /// <inheritdoc />
    public int Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> hash, Span<byte> signatureRs)
    {
        var d = ToScalar(secretKey);
        var message = hash.ToArray();
        var e = new BigInteger(1, message);
        var kCalculator = t_kCalculator ??= new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(N, d, message);
        while (true)
        {
            var k = kCalculator.NextK();
            var r = BaseMultiplier.Multiply(G, k).Normalize();
            var x = r.AffineXCoord.ToBigInteger();
            var rScalar = x.Mod(N);
            if (rScalar.SignValue == 0)
            {
                continue;
            }

            // BigInteger.ModInverse is a generic extended Euclid; ModOddInverse (safegcd, constant time
            // for the secret nonce) is several times faster.
            var s = BigIntegers.ModOddInverse(N, k).Multiply(e.Add(d.Multiply(rScalar))).Mod(N);
            if (s.SignValue == 0)
            {
                continue;
            }

            // Recovery id: bit 0 = parity of R.y, bit 1 = R.x overflowed n. Negating s (EIP-2 low-s)
            // corresponds to negating R, which flips the parity.
            var recoveryId = (r.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(N) >= 0 ? 2 : 0);
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recoveryId ^= 1;
            }

            WriteScalar(rScalar, signatureRs[..32]);
            WriteScalar(s, signatureRs[32..64]);
            return recoveryId;
        }
    }

    /// <inheritdoc />
    public bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signatureRs, int recoveryId, Span<byte> publicKeyXy)
    {
        if (hash.Length != 32 || signatureRs.Length != 64 || (uint)recoveryId > 3 || publicKeyXy.Length < 64
            || !Secp256k1Scalars.IsInRange(signatureRs[..32]) || !Secp256k1Scalars.IsInRange(signatureRs[32..]))
        {
            return false;
        }

        var r = new BigInteger(1, signatureRs[..32].ToArray());
        var s = new BigInteger(1, signatureRs[32..].ToArray());

        // SEC 1 v2, section 4.1.6: R has x = r + j·n and the parity given by the recovery id.
        var x = (recoveryId & 2) != 0 ? r.Add(N) : r;
        if (x.CompareTo(P) >= 0)
        {
            return false;
        }

        var xElement = Curve.FromBigInteger(x);
        var y = xElement.Square().Multiply(xElement).Add(Curve.B).Sqrt();
        if (y is null)
        {
            return false;
        }

        if (y.TestBitZero() != ((recoveryId & 1) != 0))
        {
            y = y.Negate();
        }

        var nonce = Curve.CreatePoint(x, y.ToBigInteger());
        var e = new BigInteger(1, hash.ToArray());
        var rInverse = BigIntegers.ModOddInverseVar(N, r); // r is public: the variable-time inverse is fine

        // Q = r⁻¹ (s·R − e·G)
        var q = ECAlgorithms.SumOfTwoMultiplies(
            G, rInverse.Multiply(e).Negate().Mod(N),
            nonce, rInverse.Multiply(s).Mod(N)).Normalize();
        if (q.IsInfinity)
        {
            return false;
        }

        WritePoint(q, publicKeyXy);
        return true;
    }

    private static BigInteger ToScalar(ReadOnlySpan<byte> secretKey)
    {
        var buffer = secretKey.ToArray();
        try
        {
            return new BigInteger(1, buffer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static void WritePoint(ECPoint point, Span<byte> publicKeyXy)
    {
        point.AffineXCoord.GetEncoded().CopyTo(publicKeyXy[..32]);
        point.AffineYCoord.GetEncoded().CopyTo(publicKeyXy[32..64]);
    }

    private static void WriteScalar(BigInteger value, Span<byte> destination)
    {
        var bytes = value.ToByteArrayUnsigned();
        destination[..(32 - bytes.Length)].Clear();
        bytes.CopyTo(destination[(32 - bytes.Length)..]);
    }
}

namespace Settlement.Ethereum.Signing;

/// <summary>
/// The few secp256k1 operations the signing types need. Two implementations exist (libsecp256k1
/// through P/Invoke, BouncyCastle in managed code); both must give byte-identical results, which a
/// test checks on many random inputs. Callers validate lengths and ranges before calling.
/// </summary>
internal interface ISecp256k1Backend
{
    /// <summary>"libsecp256k1" or "BouncyCastle".</summary>
    string Name { get; }

    /// <summary>True when <paramref name="secretKey"/> (32 bytes) is in 1..n-1.</summary>
    bool IsValidSecretKey(ReadOnlySpan<byte> secretKey);

    /// <summary>Writes the uncompressed public key X‖Y (64 bytes) of a valid secret key.</summary>
    void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKeyXy);

    /// <summary>
    /// RFC 6979 (HMAC-SHA256) deterministic ECDSA over a 32-byte hash. Writes r‖s (64 bytes) with s
    /// in the lower half of the order and returns the recovery id (0..3) that matches that s.
    /// </summary>
    int Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> hash, Span<byte> signatureRs);

    /// <summary>Recovers the public key X‖Y from a hash and an r‖s signature with its recovery id.</summary>
    bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signatureRs, int recoveryId, Span<byte> publicKeyXy);
}

using System.Numerics;
using System.Security.Cryptography;
using Nethereum.Signer;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// Lends a <see cref="PrivateKey"/> to Nethereum's signer for one signature. The secret is copied
/// into a pinned buffer that is zeroed before returning; the <see cref="EthECKey"/> made from it is
/// never stored or returned. It keeps the scalar in a BouncyCastle <c>BigInteger</c>, which cannot
/// be zeroed: that copy lives until the garbage collector reclaims the short-lived key object.
/// </summary>
internal static class NethereumSigning
{
    /// <summary>Runs <paramref name="sign"/> with a transient Nethereum key for <paramref name="key"/>.</summary>
    public static EthECDSASignature Sign(PrivateKey key, Func<EthECKey, EthECDSASignature> sign)
    {
        var secret = GC.AllocateArray<byte>(PrivateKey.Length, pinned: true);
        try
        {
            key.CopySecretTo(secret);
            return sign(new EthECKey(secret, isPrivate: true));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Our signature type from Nethereum's r, s and the recovery id; rejects what Ethereum would
    /// (r or s out of range, high s).
    /// </summary>
    /// <exception cref="CryptographicException">Nethereum returned a signature outside those rules.</exception>
    public static EcdsaSignature ToEcdsaSignature(EthECDSASignature signature, BigInteger recoveryId)
    {
        Span<byte> r = stackalloc byte[32];
        Span<byte> s = stackalloc byte[32];
        if (recoveryId.Sign < 0 || recoveryId > 1 || !LeftPad(signature.R, r) || !LeftPad(signature.S, s)
            || !EcdsaSignature.TryCreate(r, s, (byte)recoveryId, out var result))
        {
            throw new CryptographicException("The signer returned a signature Ethereum does not accept.");
        }

        return result;
    }

    private static bool LeftPad(byte[] value, Span<byte> destination32)
    {
        if (value.Length > destination32.Length)
        {
            return false;
        }

        destination32.Clear();
        value.CopyTo(destination32[(destination32.Length - value.Length)..]);
        return true;
    }
}

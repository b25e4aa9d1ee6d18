namespace Settlement.Ethereum.Signing;

/// <summary>Reports which secp256k1 implementation this process signs and recovers with.</summary>
public static class Secp256k1Diagnostics
{
    /// <summary>
    /// "libsecp256k1" (native, when <c>libsecp256k1.so.1</c> loads) or "BouncyCastle" (managed
    /// fallback, or forced with <c>SETTLEMENT_SECP256K1_BACKEND=bouncycastle</c>).
    /// </summary>
    public static string ActiveBackend => Secp256k1Backends.Active.Name;

    /// <summary>True when the native libsecp256k1 library could be loaded, whether or not it is active.</summary>
    public static bool NativeAvailable => Secp256k1Backends.Native is not null;
}

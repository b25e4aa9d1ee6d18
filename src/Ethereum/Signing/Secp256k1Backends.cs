namespace Settlement.Ethereum.Signing;

/// <summary>
/// Chooses the secp256k1 backend once per process: libsecp256k1 when it loads, BouncyCastle
/// otherwise. <c>SETTLEMENT_SECP256K1_BACKEND=bouncycastle</c> forces the managed one (for tests and
/// for machines where the native library misbehaves).
/// </summary>
internal static class Secp256k1Backends
{
    /// <summary>The environment variable that forces a backend.</summary>
    public const string EnvironmentVariable = "SETTLEMENT_SECP256K1_BACKEND";

    private static readonly Lazy<LibSecp256k1Backend?> LazyNative = new(LibSecp256k1Backend.TryCreate);
    private static readonly Lazy<ISecp256k1Backend> LazyActive = new(Choose);

    /// <summary>The native backend, or null when libsecp256k1 cannot be loaded.</summary>
    public static LibSecp256k1Backend? Native => LazyNative.Value;

    /// <summary>The managed backend (always available).</summary>
    public static BouncyCastleSecp256k1Backend BouncyCastle => BouncyCastleSecp256k1Backend.Instance;

    /// <summary>The backend the public signing types use.</summary>
    public static ISecp256k1Backend Active => LazyActive.Value;

    private static ISecp256k1Backend Choose()
    {
        var forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.Equals(forced, "bouncycastle", StringComparison.OrdinalIgnoreCase))
        {
            return BouncyCastle;
        }

        return (ISecp256k1Backend?)Native ?? BouncyCastle;
    }
}

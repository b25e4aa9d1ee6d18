namespace Settlement.Ethereum.Keystore;

/// <summary>
/// The KDF costs a keystore may ask for. A keystore is untrusted input: without bounds a file could
/// ask for gigabytes of scrypt memory (128·r·n bytes) or hours of PBKDF2.
/// </summary>
internal static class KeystoreLimits
{
    /// <summary>The only PBKDF2 PRF Web3 Secret Storage defines.</summary>
    public const string Pbkdf2Prf = "hmac-sha256";

    /// <summary>At most 1 GiB of scrypt memory (geth's "standard" n = 2^18, r = 8 needs 256 MiB).</summary>
    public const long MaxScryptMemory = 1L << 30;

    /// <summary>At most this scrypt parallelism.</summary>
    public const int MaxScryptP = 16;

    /// <summary>At most this many PBKDF2 iterations.</summary>
    public const int MaxPbkdf2Iterations = 10_000_000;

    /// <summary>Derived key lengths accepted (the MAC needs bytes 16..32).</summary>
    public const int MinDerivedKeyLength = 32;

    /// <summary>The longest derived key accepted.</summary>
    public const int MaxDerivedKeyLength = 1024;

    /// <summary>Null when the scrypt parameters are acceptable, otherwise what is wrong.</summary>
    public static string? CheckScrypt(int n, int r, int p)
    {
        if (n < 2 || (n & (n - 1)) != 0)
        {
            return $"scrypt n must be a power of two greater than 1; got {n}.";
        }

        if (r < 1 || r > 1024 || p < 1 || p > MaxScryptP || 128L * r * n > MaxScryptMemory)
        {
            return $"scrypt parameters n={n}, r={r}, p={p} are out of the supported range (at most 1 GiB, p <= {MaxScryptP}).";
        }

        return null;
    }

    /// <summary>Null when the PBKDF2 iteration count is acceptable, otherwise what is wrong.</summary>
    public static string? CheckPbkdf2(int iterations) =>
        iterations is < 1 or > MaxPbkdf2Iterations
            ? $"PBKDF2 iteration count {iterations} is outside 1..{MaxPbkdf2Iterations}."
            : null;
}

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Cost parameters for writing a keystore. The defaults are geth's "standard" ones
/// (scrypt n = 2^18, r = 8, p = 1; PBKDF2 c = 262,144).
/// </summary>
public sealed record KeystoreOptions
{
    /// <summary>The KDF to write with.</summary>
    public KeystoreKdf Kdf { get; init; } = KeystoreKdf.Scrypt;

    /// <summary>scrypt CPU/memory cost n (a power of two greater than 1).</summary>
    public int ScryptN { get; init; } = 1 << 18;

    /// <summary>scrypt block size r.</summary>
    public int ScryptR { get; init; } = 8;

    /// <summary>scrypt parallelism p.</summary>
    public int ScryptP { get; init; } = 1;

    /// <summary>PBKDF2 iteration count c.</summary>
    public int Pbkdf2Iterations { get; init; } = 262_144;

    /// <summary>Fixed salt (32 bytes) instead of a random one; for reproducing published vectors only.</summary>
    internal byte[]? Salt { get; init; }

    /// <summary>Fixed IV (16 bytes) instead of a random one; for reproducing published vectors only.</summary>
    internal byte[]? Iv { get; init; }

    /// <summary>Fixed id instead of a random UUID; for reproducing published vectors only.</summary>
    internal Guid? Id { get; init; }
}

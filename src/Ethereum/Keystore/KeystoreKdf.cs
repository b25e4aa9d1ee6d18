namespace Settlement.Ethereum.Keystore;

/// <summary>The key derivation function a new keystore is written with.</summary>
public enum KeystoreKdf
{
    /// <summary>scrypt (memory-hard; what geth and ethers write by default).</summary>
    Scrypt,

    /// <summary>PBKDF2 with HMAC-SHA256 (the one every implementation must read).</summary>
    Pbkdf2,
}

namespace Settlement.Ethereum.Keystore;

/// <summary>Why a keystore could not be opened.</summary>
public enum KeystoreError
{
    /// <summary>The file is not a Web3 Secret Storage v3 document (bad JSON, missing or ill-typed fields).</summary>
    Malformed,

    /// <summary>A cipher, KDF or parameter this implementation does not support (or refuses as too costly).</summary>
    Unsupported,

    /// <summary>The MAC does not match: the password is wrong (or the ciphertext was altered).</summary>
    WrongPassword,

    /// <summary>The decrypted key does not belong to the address the file names.</summary>
    AddressMismatch,

    /// <summary>The file is a keystore but no password was supplied.</summary>
    PasswordMissing,
}

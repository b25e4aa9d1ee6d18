namespace Settlement.Ethereum.Keystore;

/// <summary>
/// A keystore or key file could not be opened. The message says why; it never contains the
/// password or key material.
/// </summary>
public sealed class KeystoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeystoreException()
        : this(KeystoreError.Malformed, "The keystore could not be opened.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public KeystoreException(string message)
        : this(KeystoreError.Malformed, message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public KeystoreException(string message, Exception innerException)
        : base(message, innerException) => Error = KeystoreError.Malformed;

    /// <summary>Creates the exception for a given reason.</summary>
    public KeystoreException(KeystoreError error, string message)
        : base(message) => Error = error;

    /// <summary>Why the keystore could not be opened.</summary>
    public KeystoreError Error { get; }
}

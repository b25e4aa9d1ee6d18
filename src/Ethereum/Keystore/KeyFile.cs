using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Loads a signing key from a file that is either a plain key file (one 0x-hex private key on one
/// line) or a Web3 Secret Storage v3 keystore; a keystore is accepted wherever a key file is.
/// </summary>
public static class KeyFile
{
    /// <summary>The environment variable a keystore password is read from when no callback is given.</summary>
    public const string PasswordEnvironmentVariable = "L2PAY_KEYSTORE_PASSWORD";

    /// <summary>Reads and parses <paramref name="path"/> (see <see cref="Parse"/>).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="KeystoreException">Not a key file or keystore, wrong or missing password.</exception>
    public static PrivateKey Load(string path, Func<string?>? password = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), password);
    }

    /// <summary>
    /// Parses key file content. A keystore's password comes from <paramref name="password"/> when
    /// given (it is called only for keystores), otherwise from <see cref="PasswordEnvironmentVariable"/>.
    /// </summary>
    /// <exception cref="KeystoreException">Not a key file or keystore, wrong or missing password.</exception>
    public static PrivateKey Parse(string content, Func<string?>? password = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = content.Trim();
        if (text.StartsWith('{'))
        {
            var secret = password is not null ? password() : Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
            if (secret is null)
            {
                throw new KeystoreException(
                    KeystoreError.PasswordMissing,
                    $"The key file is an encrypted keystore and no password was given (set {PasswordEnvironmentVariable}).");
            }

            return Web3SecretStorage.Decrypt(text, secret);
        }

        if (text.Contains('\n', StringComparison.Ordinal))
        {
            throw new KeystoreException(KeystoreError.Malformed, "A key file holds one 0x-hex private key on one line; this one has several lines.");
        }

        try
        {
            return PrivateKey.ParseHex(text);
        }
        catch (FormatException e)
        {
            throw new KeystoreException(KeystoreError.Malformed, $"Not a key file: {e.Message}");
        }
    }
}

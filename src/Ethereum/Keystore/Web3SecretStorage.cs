using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Web3 Secret Storage v3 ("keystore" JSON files as geth, ethers and wallets write them), on
/// Nethereum.KeyStore: Nethereum derives the key (scrypt or PBKDF2-HMAC-SHA256), checks the MAC and
/// runs AES-128-CTR. What stays ours is the boundary: untrusted JSON is validated here (shape,
/// hex lengths, bounded KDF costs) before Nethereum sees it, outcomes are <see cref="KeystoreError"/>
/// codes, keys come back as <see cref="PrivateKey"/>, and files are written in one stable field order.
/// The password is used as its UTF-8 bytes, as geth does.
/// </summary>
public static class Web3SecretStorage
{
    /// <summary>Encrypts <paramref name="key"/> into a v3 keystore JSON document.</summary>
    /// <exception cref="ArgumentException">Invalid cost parameters.</exception>
    public static string Encrypt(PrivateKey key, string password, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeystoreOptions();
        if (options.Iv is { Length: not 16 })
        {
            throw new ArgumentException("The IV must be 16 bytes.", nameof(options));
        }

        if (options.Salt is { Length: 0 })
        {
            throw new ArgumentException("The salt must not be empty.", nameof(options));
        }

        var random = new KeystoreRandomBytes(options.Salt, options.Iv);
        var address = key.Address.ToLowerHex()[2..];
        var secret = new byte[PrivateKey.Length];
        try
        {
            key.CopySecretTo(secret);
            switch (options.Kdf)
            {
                case KeystoreKdf.Scrypt:
                    if (KeystoreLimits.CheckScrypt(options.ScryptN, options.ScryptR, options.ScryptP) is { } scryptProblem)
                    {
                        throw new ArgumentException(scryptProblem, nameof(options));
                    }

                    var scrypt = new ScryptParams { Dklen = 32, N = options.ScryptN, R = options.ScryptR, P = options.ScryptP };
                    var scryptStore = new KeyStoreScryptService(random).EncryptAndGenerateKeyStore(password, secret, address, scrypt);
                    return KeystoreWriter.Write(scryptStore, options.Id, static (writer, p) =>
                    {
                        writer.WriteNumber("n", p.N);
                        writer.WriteNumber("p", p.P);
                        writer.WriteNumber("r", p.R);
                    });
                case KeystoreKdf.Pbkdf2:
                    if (KeystoreLimits.CheckPbkdf2(options.Pbkdf2Iterations) is { } pbkdf2Problem)
                    {
                        throw new ArgumentException(pbkdf2Problem, nameof(options));
                    }

                    var pbkdf2 = new Pbkdf2Params { Dklen = 32, Count = options.Pbkdf2Iterations, Prf = KeystoreLimits.Pbkdf2Prf };
                    var pbkdf2Store = new KeyStorePbkdf2Service(random).EncryptAndGenerateKeyStore(password, secret, address, pbkdf2);
                    return KeystoreWriter.Write(pbkdf2Store, options.Id, static (writer, p) =>
                    {
                        writer.WriteNumber("c", p.Count);
                        writer.WriteString("prf", p.Prf);
                    });
                default:
                    throw new ArgumentException("Unknown KDF.", nameof(options));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>True when <paramref name="json"/> looks like a keystore (a JSON object with a crypto section).</summary>
    public static bool IsKeystore(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && KeystoreReader.TryGetCrypto(document.RootElement, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Decrypts a v3 keystore JSON document.</summary>
    /// <exception cref="KeystoreException">Malformed or unsupported file, wrong password (MAC mismatch), or address mismatch.</exception>
    public static PrivateKey Decrypt(string json, string password)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        var failure = Open(json, password, out var key);
        return key ?? throw failure!;
    }

    /// <summary>
    /// Decrypts a v3 keystore JSON document without throwing on untrusted input: false with the
    /// reason in <paramref name="error"/> for a malformed, unsupported or foreign file or a wrong password.
    /// </summary>
    public static bool TryDecrypt(string json, string password, [NotNullWhen(true)] out PrivateKey? key, out KeystoreError error)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        var failure = Open(json, password, out key);
        error = failure?.Error ?? default;
        return key is not null;
    }

    // The failure comes back as data (an exception object that is not thrown) so TryDecrypt and
    // Decrypt share one path.
    private static KeystoreException? Open(string json, string password, out PrivateKey? key)
    {
        key = null;
        var failure = KeystoreReader.TryRead(json, out var keystore);
        if (keystore is null)
        {
            return failure;
        }

        byte[] secret;
        try
        {
            secret = keystore.DecryptSecret(password);
        }
        catch (DecryptionException)
        {
            // Nethereum's only signal for a MAC mismatch (KeyStoreCrypto.ValidateMac).
            return new KeystoreException(KeystoreError.WrongPassword, "Wrong password: the keystore MAC does not match (or the file was altered).");
        }

        try
        {
            if (!PrivateKey.TryCreate(secret, out var opened))
            {
                return KeystoreReader.Malformed("the decrypted private key is out of range");
            }

            if (keystore.Address is { } expected && expected != opened.Address)
            {
                opened.Dispose();
                return new KeystoreException(KeystoreError.AddressMismatch, "The decrypted key does not belong to the address the keystore names.");
            }

            key = opened;
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}

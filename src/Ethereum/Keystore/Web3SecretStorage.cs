using System.Security.Cryptography;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Generators;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Web3 Secret Storage v3 ("keystore" JSON files as geth, ethers and wallets write them): the
/// private key encrypted with AES-128-CTR under the first 16 bytes of a key derived from the
/// password (scrypt or PBKDF2-HMAC-SHA256), authenticated by
/// <c>mac = Keccak-256(derivedKey[16..32] ‖ ciphertext)</c>.
/// The password is used as its UTF-8 bytes, as geth does.
/// </summary>
public static class Web3SecretStorage
{
    // Refuse parameters that would make opening a file a denial of service (memory = 128·r·n bytes).
    private const long MaxScryptMemory = 1L << 30;
    private const int MaxScryptP = 16;
    private const int MaxPbkdf2Iterations = 10_000_000;

    /// <summary>Encrypts <paramref name="key"/> into a v3 keystore JSON document.</summary>
    /// <exception cref="ArgumentException">Invalid cost parameters.</exception>
    public static string Encrypt(PrivateKey key, string password, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeystoreOptions();
        var salt = options.Salt ?? RandomNumberGenerator.GetBytes(32);
        var iv = options.Iv ?? RandomNumberGenerator.GetBytes(16);
        var id = options.Id ?? Guid.NewGuid();
        if (iv.Length != 16)
        {
            throw new ArgumentException("The IV must be 16 bytes.", nameof(options));
        }

        var derived = new byte[32];
        var secret = new byte[PrivateKey.Length];
        var ciphertext = new byte[PrivateKey.Length];
        try
        {
            switch (options.Kdf)
            {
                case KeystoreKdf.Scrypt:
                    CheckScrypt(options.ScryptN, options.ScryptR, options.ScryptP, static m => new ArgumentException(m, nameof(options)));
                    DeriveScrypt(password, salt, options.ScryptN, options.ScryptR, options.ScryptP, derived);
                    break;
                case KeystoreKdf.Pbkdf2:
                    if (options.Pbkdf2Iterations is < 1 or > MaxPbkdf2Iterations)
                    {
                        throw new ArgumentException($"PBKDF2 iterations must be 1..{MaxPbkdf2Iterations}.", nameof(options));
                    }

                    DerivePbkdf2(password, salt, options.Pbkdf2Iterations, derived);
                    break;
                default:
                    throw new ArgumentException("Unknown KDF.", nameof(options));
            }

            key.CopySecretTo(secret);
            AesCtr(derived.AsSpan(0, 16), iv, secret, ciphertext);
            var mac = Mac(derived, ciphertext);

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
            {
                writer.WriteStartObject();
                writer.WriteString("address", key.Address.ToLowerHex()[2..]);
                writer.WriteStartObject("crypto");
                writer.WriteString("cipher", "aes-128-ctr");
                writer.WriteString("ciphertext", Hex.Encode(ciphertext, prefix: false));
                writer.WriteStartObject("cipherparams");
                writer.WriteString("iv", Hex.Encode(iv, prefix: false));
                writer.WriteEndObject();
                writer.WriteStartObject("kdfparams");
                writer.WriteNumber("dklen", 32);
                if (options.Kdf == KeystoreKdf.Scrypt)
                {
                    writer.WriteNumber("n", options.ScryptN);
                    writer.WriteNumber("p", options.ScryptP);
                    writer.WriteNumber("r", options.ScryptR);
                }
                else
                {
                    writer.WriteNumber("c", options.Pbkdf2Iterations);
                    writer.WriteString("prf", "hmac-sha256");
                }

                writer.WriteString("salt", Hex.Encode(salt, prefix: false));
                writer.WriteEndObject();
                writer.WriteString("kdf", options.Kdf == KeystoreKdf.Scrypt ? "scrypt" : "pbkdf2");
                writer.WriteString("mac", Hex.Encode(mac, prefix: false));
                writer.WriteEndObject();
                writer.WriteString("id", id.ToString("D"));
                writer.WriteNumber("version", 3);
                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
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
            return document.RootElement.ValueKind == JsonValueKind.Object && TryGetCrypto(document.RootElement, out _);
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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new KeystoreException(KeystoreError.Malformed, $"The keystore is not valid JSON: {e.Message}");
        }

        using (document)
        {
            return Decrypt(document.RootElement, password);
        }
    }

    private static PrivateKey Decrypt(JsonElement root, string password)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("the document is not a JSON object");
        }

        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out var versionNumber) || versionNumber != 3)
        {
            throw new KeystoreException(KeystoreError.Unsupported, "Only version 3 keystores are supported.");
        }

        if (!TryGetCrypto(root, out var crypto))
        {
            throw Malformed("the crypto section is missing");
        }

        var cipher = GetString(crypto, "cipher");
        if (!string.Equals(cipher, "aes-128-ctr", StringComparison.OrdinalIgnoreCase))
        {
            throw new KeystoreException(KeystoreError.Unsupported, $"Cipher '{cipher}' is not supported (only aes-128-ctr).");
        }

        var ciphertext = GetHex(crypto, "ciphertext");
        if (ciphertext.Length != PrivateKey.Length)
        {
            throw Malformed($"the ciphertext is {ciphertext.Length} bytes, a private key is 32");
        }

        if (!crypto.TryGetProperty("cipherparams", out var cipherParams) || cipherParams.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("cipherparams is missing");
        }

        var iv = GetHex(cipherParams, "iv");
        if (iv.Length != 16)
        {
            throw Malformed($"the IV is {iv.Length} bytes, AES-128-CTR needs 16");
        }

        var mac = GetHex(crypto, "mac");
        if (!crypto.TryGetProperty("kdfparams", out var kdfParams) || kdfParams.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("kdfparams is missing");
        }

        var kdf = GetString(crypto, "kdf");
        var dkLength = GetInt(kdfParams, "dklen");
        if (dkLength < 32 || dkLength > 1024)
        {
            throw Malformed($"dklen is {dkLength}, at least 32 is needed");
        }

        var salt = GetHex(kdfParams, "salt");
        var derived = new byte[dkLength];
        var secret = new byte[PrivateKey.Length];
        try
        {
            switch (kdf)
            {
                case "scrypt":
                    var n = GetInt(kdfParams, "n");
                    var r = GetInt(kdfParams, "r");
                    var p = GetInt(kdfParams, "p");
                    CheckScrypt(n, r, p, static m => new KeystoreException(KeystoreError.Unsupported, m));
                    DeriveScrypt(password, salt, n, r, p, derived);
                    break;
                case "pbkdf2":
                    var prf = GetString(kdfParams, "prf");
                    if (prf != "hmac-sha256")
                    {
                        throw new KeystoreException(KeystoreError.Unsupported, $"PBKDF2 PRF '{prf}' is not supported (only hmac-sha256).");
                    }

                    var c = GetInt(kdfParams, "c");
                    if (c is < 1 or > MaxPbkdf2Iterations)
                    {
                        throw new KeystoreException(KeystoreError.Unsupported, $"PBKDF2 iteration count {c} is outside 1..{MaxPbkdf2Iterations}.");
                    }

                    DerivePbkdf2(password, salt, c, derived);
                    break;
                default:
                    throw new KeystoreException(KeystoreError.Unsupported, $"KDF '{kdf}' is not supported (only scrypt and pbkdf2).");
            }

            if (mac.Length != 32 || !CryptographicOperations.FixedTimeEquals(Mac(derived, ciphertext), mac))
            {
                throw new KeystoreException(KeystoreError.WrongPassword, "Wrong password: the keystore MAC does not match (or the file was altered).");
            }

            AesCtr(derived.AsSpan(0, 16), iv, ciphertext, secret);
            if (!PrivateKey.TryCreate(secret, out var key))
            {
                throw Malformed("the decrypted private key is out of range");
            }

            if (root.TryGetProperty("address", out var addressElement) && addressElement.ValueKind == JsonValueKind.String
                && addressElement.GetString() is { Length: > 0 } addressText)
            {
                var expected = Hex.HasPrefix(addressText) ? addressText : "0x" + addressText;
                if (!Address.TryParse(expected, out var address) || address != key.Address)
                {
                    key.Dispose();
                    throw new KeystoreException(KeystoreError.AddressMismatch, "The decrypted key does not belong to the address the keystore names.");
                }
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static bool TryGetCrypto(JsonElement root, out JsonElement crypto)
    {
        // v3 writes "crypto"; some older tools wrote "Crypto".
        if ((root.TryGetProperty("crypto", out crypto) || root.TryGetProperty("Crypto", out crypto))
            && crypto.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        crypto = default;
        return false;
    }

    private static void CheckScrypt(int n, int r, int p, Func<string, Exception> error)
    {
        if (n < 2 || (n & (n - 1)) != 0)
        {
            throw error($"scrypt n must be a power of two greater than 1; got {n}.");
        }

        if (r < 1 || r > 1024 || p < 1 || p > MaxScryptP || 128L * r * n > MaxScryptMemory)
        {
            throw error($"scrypt parameters n={n}, r={r}, p={p} are out of the supported range (at most 1 GiB, p <= {MaxScryptP}).");
        }
    }

    private static void DeriveScrypt(string password, byte[] salt, int n, int r, int p, Span<byte> derived)
    {
        var passwordBytes = System.Text.Encoding.UTF8.GetBytes(password);
        try
        {
            var output = SCrypt.Generate(passwordBytes, salt, n, r, p, derived.Length);
            output.CopyTo(derived);
            CryptographicOperations.ZeroMemory(output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static void DerivePbkdf2(string password, byte[] salt, int iterations, Span<byte> derived)
    {
        var passwordBytes = System.Text.Encoding.UTF8.GetBytes(password);
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, derived, iterations, HashAlgorithmName.SHA256);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>Keccak-256(derivedKey[16..32] ‖ ciphertext), the v3 MAC.</summary>
    internal static byte[] Mac(ReadOnlySpan<byte> derived, ReadOnlySpan<byte> ciphertext)
    {
        var body = new byte[16 + ciphertext.Length];
        derived.Slice(16, 16).CopyTo(body);
        ciphertext.CopyTo(body.AsSpan(16));
        var mac = Keccak256.Hash(body);
        CryptographicOperations.ZeroMemory(body);
        return mac;
    }

    /// <summary>AES-128 in counter mode: the IV is a 128-bit big-endian counter, incremented per block.</summary>
    internal static void AesCtr(ReadOnlySpan<byte> key16, ReadOnlySpan<byte> iv16, ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var aes = Aes.Create();
        aes.SetKey(key16);
        Span<byte> counter = stackalloc byte[16];
        Span<byte> keystream = stackalloc byte[16];
        iv16.CopyTo(counter);
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, keystream, PaddingMode.None);
            var count = Math.Min(16, input.Length - offset);
            for (var i = 0; i < count; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
            }

            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }

        CryptographicOperations.ZeroMemory(keystream);
    }

    private static string GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Malformed($"'{name}' is missing or not a string");

    private static int GetInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Malformed($"'{name}' is missing or not an integer");

    private static byte[] GetHex(JsonElement element, string name) =>
        Hex.TryDecode(GetString(element, name), out var bytes) ? bytes : throw Malformed($"'{name}' is not hex");

    private static KeystoreException Malformed(string what) =>
        new(KeystoreError.Malformed, $"The keystore is malformed: {what}.");
}

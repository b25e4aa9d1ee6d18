using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Checks an untrusted keystore document before Nethereum sees it: Nethereum's own JSON path
/// throws <see cref="Exception"/> or <see cref="ArgumentException"/> on missing fields and would
/// run any scrypt cost a file asks for. Once this returns a keystore, everything Nethereum reads
/// is present, well-typed, of the right length and within <see cref="KeystoreLimits"/>.
/// </summary>
internal static class KeystoreReader
{
    /// <summary>A validated keystore, or null and the reason (returned, never thrown).</summary>
    public static KeystoreException? TryRead(string json, out ValidatedKeystore? keystore)
    {
        keystore = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return new KeystoreException(KeystoreError.Malformed, $"The keystore is not valid JSON: {e.Message}");
        }

        using (document)
        {
            return TryRead(document.RootElement, out keystore);
        }
    }

    public static bool TryGetCrypto(JsonElement root, out JsonElement crypto)
    {
        // v3 writes "crypto"; some older tools (and ethers) write "Crypto".
        if ((root.TryGetProperty("crypto", out crypto) || root.TryGetProperty("Crypto", out crypto))
            && crypto.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        crypto = default;
        return false;
    }

    public static KeystoreException Malformed(string what) => new(KeystoreError.Malformed, $"The keystore is malformed: {what}.");

    private static KeystoreException Unsupported(string message) => new(KeystoreError.Unsupported, message);

    private static KeystoreException? TryRead(JsonElement root, out ValidatedKeystore? keystore)
    {
        keystore = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Malformed("the document is not a JSON object");
        }

        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out var versionNumber) || versionNumber != KeyStoreServiceBase<ScryptParams>.CurrentVersion)
        {
            return Unsupported("Only version 3 keystores are supported.");
        }

        if (!TryGetCrypto(root, out var crypto))
        {
            return Malformed("the crypto section is missing");
        }

        // Every field read records the first problem; later reads then give empty values.
        var fields = new Fields();
        var cipher = fields.String(crypto, "cipher");
        var ciphertext = fields.Hex(crypto, "ciphertext");
        var iv = fields.Hex(fields.Object(crypto, "cipherparams"), "iv");
        var mac = fields.Hex(crypto, "mac");
        var kdfParams = fields.Object(crypto, "kdfparams");
        var kdf = fields.String(crypto, "kdf");
        var dkLength = fields.Int(kdfParams, "dklen");
        var salt = fields.Hex(kdfParams, "salt");
        var problem = fields.Problem
            ?? (!string.Equals(cipher, "aes-128-ctr", StringComparison.OrdinalIgnoreCase) ? Unsupported($"Cipher '{cipher}' is not supported (only aes-128-ctr).") : null)
            ?? (ciphertext.Length != PrivateKey.Length ? Malformed($"the ciphertext is {ciphertext.Length} bytes, a private key is 32") : null)
            ?? (iv.Length != 16 ? Malformed($"the IV is {iv.Length} bytes, AES-128-CTR needs 16") : null)
            ?? (dkLength is < KeystoreLimits.MinDerivedKeyLength or > KeystoreLimits.MaxDerivedKeyLength
                ? Malformed($"dklen is {dkLength}, {KeystoreLimits.MinDerivedKeyLength}..{KeystoreLimits.MaxDerivedKeyLength} is accepted") : null);
        if (problem is not null)
        {
            return problem;
        }

        var address = default(Address?);
        if (root.TryGetProperty("address", out var addressElement) && addressElement.ValueKind == JsonValueKind.String
            && addressElement.GetString() is { Length: > 0 } addressText)
        {
            if (!Address.TryParse(Encoding.Hex.HasPrefix(addressText) ? addressText : "0x" + addressText, out var named))
            {
                return new KeystoreException(KeystoreError.AddressMismatch, "The keystore names an address that is not a 20-byte hex address.");
            }

            address = named;
        }

        KeyStore<T> Model<T>(T kdfParams)
            where T : KdfParams => new()
            {
                Version = KeyStoreServiceBase<T>.CurrentVersion,
                Crypto = new CryptoInfo<T>
                {
                    Cipher = "aes-128-ctr",
                    CipherText = Convert.ToHexStringLower(ciphertext),
                    CipherParams = new CipherParams { Iv = Convert.ToHexStringLower(iv) },
                    Kdf = kdf,
                    Kdfparams = kdfParams,
                    Mac = Convert.ToHexStringLower(mac),
                },
            };

        switch (kdf)
        {
            case KeyStoreScryptService.KdfType:
                var (n, r, p) = (fields.Int(kdfParams, "n"), fields.Int(kdfParams, "r"), fields.Int(kdfParams, "p"));
                problem = fields.Problem ?? (KeystoreLimits.CheckScrypt(n, r, p) is { } scryptLimit ? Unsupported(scryptLimit) : null);
                var scrypt = new ScryptParams { Dklen = dkLength, N = n, R = r, P = p, Salt = Convert.ToHexStringLower(salt) };
                keystore = ValidatedKeystore.For(new KeyStoreScryptService(), Model(scrypt), address);
                break;
            case KeyStorePbkdf2Service.KdfType:
                var prf = fields.String(kdfParams, "prf");
                var c = fields.Int(kdfParams, "c");
                problem = fields.Problem
                    ?? (prf != KeystoreLimits.Pbkdf2Prf ? Unsupported($"PBKDF2 PRF '{prf}' is not supported (only {KeystoreLimits.Pbkdf2Prf}).") : null)
                    ?? (KeystoreLimits.CheckPbkdf2(c) is { } pbkdf2Limit ? Unsupported(pbkdf2Limit) : null);
                var pbkdf2 = new Pbkdf2Params { Dklen = dkLength, Count = c, Prf = prf, Salt = Convert.ToHexStringLower(salt) };
                keystore = ValidatedKeystore.For(new KeyStorePbkdf2Service(), Model(pbkdf2), address);
                break;
            default:
                return Unsupported($"KDF '{kdf}' is not supported (only scrypt and pbkdf2).");
        }

        // A MAC that is not 32 bytes can never equal a Keccak-256 digest: the answer for a wrong MAC.
        problem ??= mac.Length != 32 ? new KeystoreException(KeystoreError.WrongPassword, "Wrong password: the keystore MAC does not match (or the file was altered).") : null;
        if (problem is not null)
        {
            keystore = null;
        }

        return problem;
    }

    /// <summary>Reads typed JSON fields, keeping the first problem instead of throwing.</summary>
    private sealed class Fields
    {
        public KeystoreException? Problem { get; private set; }

        public JsonElement Object(JsonElement parent, string name) =>
            Read(parent, name, JsonValueKind.Object, "is missing or not an object", out var value) ? value : default;

        public string String(JsonElement parent, string name) =>
            Read(parent, name, JsonValueKind.String, "is missing or not a string", out var value) ? value.GetString()! : string.Empty;

        public int Int(JsonElement parent, string name) =>
            Read(parent, name, JsonValueKind.Number, "is missing or not an integer", out var value) && value.TryGetInt32(out var number)
                ? number
                : Fail(name, "is missing or not an integer", 0);

        public byte[] Hex(JsonElement parent, string name)
        {
            var text = String(parent, name);
            if (Problem is not null)
            {
                return [];
            }

            return Encoding.Hex.TryDecode(text, out var bytes) ? bytes : Fail(name, "is not hex", Array.Empty<byte>());
        }

        private bool Read(JsonElement parent, string name, JsonValueKind kind, string problem, out JsonElement value)
        {
            value = default;
            if (Problem is not null)
            {
                return false;
            }

            if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out value) && value.ValueKind == kind)
            {
                return true;
            }

            Fail(name, problem, 0);
            return false;
        }

        private T Fail<T>(string name, string problem, T empty)
        {
            Problem ??= Malformed($"'{name}' {problem}");
            return empty;
        }
    }
}

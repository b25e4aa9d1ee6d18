using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Checks an untrusted keystore document before Nethereum sees it: Nethereum's own JSON path
/// throws <see cref="Exception"/>, <see cref="ArgumentException"/> or worse on missing fields and
/// would run any scrypt cost a file asks for. Everything Nethereum needs is present, well-typed,
/// of the right length and within <see cref="KeystoreLimits"/> once this returns a keystore.
/// </summary>
internal static class KeystoreReader
{
    private const int IvLength = 16;
    private const int MacLength = 32;

    /// <summary>A validated keystore, or null and the reason (never thrown here).</summary>
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

    public static KeystoreException Malformed(string what) =>
        new(KeystoreError.Malformed, $"The keystore is malformed: {what}.");

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

        if (TryGetString(crypto, "cipher", out var cipher) is { } cipherProblem)
        {
            return cipherProblem;
        }

        if (!string.Equals(cipher, "aes-128-ctr", StringComparison.OrdinalIgnoreCase))
        {
            return Unsupported($"Cipher '{cipher}' is not supported (only aes-128-ctr).");
        }

        if (TryGetHex(crypto, "ciphertext", out var ciphertext) is { } ciphertextProblem)
        {
            return ciphertextProblem;
        }

        if (ciphertext.Length != PrivateKey.Length)
        {
            return Malformed($"the ciphertext is {ciphertext.Length} bytes, a private key is 32");
        }

        if (!crypto.TryGetProperty("cipherparams", out var cipherParams) || cipherParams.ValueKind != JsonValueKind.Object)
        {
            return Malformed("cipherparams is missing");
        }

        if (TryGetHex(cipherParams, "iv", out var iv) is { } ivProblem)
        {
            return ivProblem;
        }

        if (iv.Length != IvLength)
        {
            return Malformed($"the IV is {iv.Length} bytes, AES-128-CTR needs 16");
        }

        if (TryGetHex(crypto, "mac", out var mac) is { } macProblem)
        {
            return macProblem;
        }

        if (!crypto.TryGetProperty("kdfparams", out var kdfParams) || kdfParams.ValueKind != JsonValueKind.Object)
        {
            return Malformed("kdfparams is missing");
        }

        if (TryGetString(crypto, "kdf", out var kdf) is { } kdfProblem)
        {
            return kdfProblem;
        }

        if (TryGetInt(kdfParams, "dklen", out var dkLength) is { } dkLengthProblem)
        {
            return dkLengthProblem;
        }

        if (dkLength is < KeystoreLimits.MinDerivedKeyLength or > KeystoreLimits.MaxDerivedKeyLength)
        {
            return Malformed($"dklen is {dkLength}, at least {KeystoreLimits.MinDerivedKeyLength} is needed");
        }

        if (TryGetHex(kdfParams, "salt", out var salt) is { } saltProblem)
        {
            return saltProblem;
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

        var cipherInfo = (Text: Hex(ciphertext), Iv: new CipherParams { Iv = Hex(iv) }, Mac: Hex(mac));
        switch (kdf)
        {
            case KeyStoreScryptService.KdfType:
                if (TryGetInt(kdfParams, "n", out var n) is { } nProblem)
                {
                    return nProblem;
                }

                if (TryGetInt(kdfParams, "r", out var r) is { } rProblem)
                {
                    return rProblem;
                }

                if (TryGetInt(kdfParams, "p", out var p) is { } pProblem)
                {
                    return pProblem;
                }

                if (KeystoreLimits.CheckScrypt(n, r, p) is { } scryptLimit)
                {
                    return Unsupported(scryptLimit);
                }

                var scrypt = new ScryptParams { Dklen = dkLength, N = n, R = r, P = p, Salt = Hex(salt) };
                keystore = ValidatedKeystore.For(new KeyStoreScryptService(), Model(scrypt, kdf, cipherInfo), address);
                break;
            case KeyStorePbkdf2Service.KdfType:
                if (TryGetString(kdfParams, "prf", out var prf) is { } prfProblem)
                {
                    return prfProblem;
                }

                if (prf != KeystoreLimits.Pbkdf2Prf)
                {
                    return Unsupported($"PBKDF2 PRF '{prf}' is not supported (only {KeystoreLimits.Pbkdf2Prf}).");
                }

                if (TryGetInt(kdfParams, "c", out var c) is { } countProblem)
                {
                    return countProblem;
                }

                if (KeystoreLimits.CheckPbkdf2(c) is { } pbkdf2Limit)
                {
                    return Unsupported(pbkdf2Limit);
                }

                var pbkdf2 = new Pbkdf2Params { Dklen = dkLength, Count = c, Prf = prf, Salt = Hex(salt) };
                keystore = ValidatedKeystore.For(new KeyStorePbkdf2Service(), Model(pbkdf2, kdf, cipherInfo), address);
                break;
            default:
                return Unsupported($"KDF '{kdf}' is not supported (only scrypt and pbkdf2).");
        }

        if (mac.Length != MacLength)
        {
            // A MAC of another length can never equal a Keccak-256 digest: the answer for a wrong MAC.
            keystore = null;
            return new KeystoreException(KeystoreError.WrongPassword, "Wrong password: the keystore MAC does not match (or the file was altered).");
        }

        return null;
    }

    private static KeyStore<T> Model<T>(T kdfParams, string kdf, (string Text, CipherParams Iv, string Mac) cipher)
        where T : KdfParams => new()
        {
            Version = KeyStoreServiceBase<T>.CurrentVersion,
            Crypto = new CryptoInfo<T>
            {
                Cipher = "aes-128-ctr",
                CipherText = cipher.Text,
                CipherParams = cipher.Iv,
                Kdf = kdf,
                Kdfparams = kdfParams,
                Mac = cipher.Mac,
            },
        };

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static KeystoreException? TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return null;
        }

        value = string.Empty;
        return Malformed($"'{name}' is missing or not a string");
    }

    private static KeystoreException? TryGetInt(JsonElement element, string name, out int value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value))
        {
            return null;
        }

        value = 0;
        return Malformed($"'{name}' is missing or not an integer");
    }

    private static KeystoreException? TryGetHex(JsonElement element, string name, out byte[] value)
    {
        if (TryGetString(element, name, out var text) is { } problem)
        {
            value = [];
            return problem;
        }

        if (Encoding.Hex.TryDecode(text, out var bytes))
        {
            value = bytes;
            return null;
        }

        value = [];
        return Malformed($"'{name}' is not hex");
    }
}

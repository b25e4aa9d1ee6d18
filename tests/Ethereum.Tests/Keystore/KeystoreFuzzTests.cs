using FsCheck;
using FsCheck.Fluent;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Keystore;

public sealed class KeystoreFuzzTests
{
    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    [Fact]
    public void Decrypt_100000RandomStrings_OnlyKeystoreException()
    {
        // Random bytes as text, and random text that starts like JSON, so both the JSON layer and
        // the field checks are reached.
        var raw = Gen.ArrayOf(AnyByte).Select(b => System.Text.Encoding.UTF8.GetString(b));
        var jsonish = Gen.ArrayOf(Gen.Elements('{', '}', '"', ':', ',', '[', ']', 'a', 'c', 'n', '0', '1', '3', ' ', 'x'))
            .Select(chars => "{\"version\":3,\"crypto\":" + new string(chars));
        var inputs = Gen.OneOf<string>(raw, jsonish).ToArbitrary();
        Prop.ForAll(inputs, text =>
        {
            try
            {
                using var key = Web3SecretStorage.Decrypt(text, "pw");
                return false; // random text never holds a valid MAC
            }
            catch (KeystoreException)
            {
                return true;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100_000));
    }

    [Theory]
    [InlineData(KeystoreKdf.Pbkdf2)]
    [InlineData(KeystoreKdf.Scrypt)]
    public void Decrypt_MutatedValidKeystore_KeyOrKeystoreExceptionNeverAnother(KeystoreKdf kdf)
    {
        // Every mutation that passes our checks reaches Nethereum's KDF, MAC and cipher code.
        using var original = PrivateKey.Generate();
        var json = Web3SecretStorage.Encrypt(original, "pw", new KeystoreOptions { Kdf = kdf, Pbkdf2Iterations = 1, ScryptN = 16, ScryptR = 1 });
        const string Alphabet = "0123456789abcdef{}[]\",: -xyz";
        var mutations = Gen.Choose(0, json.Length - 1).Zip(Gen.Elements(Alphabet.ToCharArray())).ToArbitrary();
        var opened = 0;
        Prop.ForAll(mutations, mutation =>
        {
            var (index, c) = mutation;
            var chars = json.ToCharArray();
            chars[index] = c;
            try
            {
                using var key = Web3SecretStorage.Decrypt(new string(chars), "pw");
                opened++;
                return key.Address == original.Address; // a harmless change (id, spacing) or none at all
            }
            catch (KeystoreException)
            {
                return true;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
        opened.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void EncryptDecrypt_RandomKeysAndPasswords_RoundTrip()
    {
        var inputs = Gen.ArrayOf(AnyByte, 32).Zip(ArbMap.Default.GeneratorFor<string>().Where(p => p is not null)).ToArbitrary();
        Prop.ForAll(inputs, input =>
        {
            var (bytes, password) = input;
            if (!PrivateKey.TryCreate(bytes, out var key))
            {
                return true;
            }

            using (key)
            {
                var json = Web3SecretStorage.Encrypt(key, password, new KeystoreOptions { Kdf = KeystoreKdf.Pbkdf2, Pbkdf2Iterations = 2 });
                using var back = Web3SecretStorage.Decrypt(json, password);
                return back.Address == key.Address;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}

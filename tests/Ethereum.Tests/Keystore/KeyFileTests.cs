using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Keystore;

public sealed class KeyFileTests
{
    private const string KeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Theory]
    [InlineData(KeyHex)]
    [InlineData(KeyHex + "\n")]
    [InlineData(KeyHex + "\r\n")]
    public void Parse_PlainKeyFile_GivesKey(string content)
    {
        using var key = KeyFile.Parse(content, () => throw new InvalidOperationException("a plain key file needs no password"));
        key.Address.ToString().ShouldBe("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    }

    [Fact]
    public void Parse_TwoLines_IsRejected()
    {
        var error = Should.Throw<KeystoreException>(() => KeyFile.Parse(KeyHex + "\n" + KeyHex + "\n"));
        error.Error.ShouldBe(KeystoreError.Malformed);
        error.Message.ShouldNotContain(KeyHex[2..], Case.Insensitive);
    }

    [Fact]
    public void Parse_NotHex_IsMalformedWithoutEcho()
    {
        var content = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231g";
        var error = Should.Throw<KeystoreException>(() => KeyFile.Parse(content));
        error.Error.ShouldBe(KeystoreError.Malformed);
        error.Message.ShouldNotContain(content[2..30], Case.Insensitive);
    }

    [Fact]
    public void Load_KeystoreFile_UsesPasswordCallback()
    {
        using var key = PrivateKey.ParseHex(KeyHex);
        var path = Path.Combine(Path.GetTempPath(), $"keyfile-test-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, Web3SecretStorage.Encrypt(key, "secret", new KeystoreOptions { ScryptN = 1024 }));
            var calls = 0;
            using var loaded = KeyFile.Load(path, () =>
            {
                calls++;
                return "secret";
            });
            loaded.Address.ShouldBe(key.Address);
            calls.ShouldBe(1);

            Should.Throw<KeystoreException>(() => KeyFile.Load(path, () => null)).Error.ShouldBe(KeystoreError.PasswordMissing);
            Should.Throw<KeystoreException>(() => KeyFile.Load(path, () => "wrong")).Error.ShouldBe(KeystoreError.WrongPassword);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsIOException() =>
        Should.Throw<FileNotFoundException>(() => KeyFile.Load(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}")));
}

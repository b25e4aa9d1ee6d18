using System.Reflection;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

public sealed class PrivateKeyTests
{
    private const string KeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void Create_OutOfRange_ThrowsWithoutEchoingKey(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        PrivateKey.TryCreate(bytes, out var key).ShouldBeFalse();
        key.ShouldBeNull();
        var error = Should.Throw<ArgumentException>(() => PrivateKey.Create(bytes));
        error.Message.ShouldContain("out of range");
        error.Message.ShouldNotContain(hex, Case.Insensitive);
        var parseError = Should.Throw<FormatException>(() => PrivateKey.ParseHex(hex));
        parseError.Message.ShouldNotContain(hex, Case.Insensitive);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Create_WrongLength_Throws(int length)
    {
        PrivateKey.TryCreate(new byte[length], out _).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => PrivateKey.Create(new byte[length]));
    }

    [Theory]
    [InlineData(KeyHex)]
    [InlineData("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")]
    [InlineData("  0X4C0883A69102937D6231471B5DBB6204FE5129617082792AE468D01A3F362318\n")]
    public void ParseHex_Forms_GiveSameKnownAddress(string text)
    {
        // Address of this key as published in the Web3 Secret Storage / web3.js account examples.
        using var key = PrivateKey.ParseHex(text);
        key.Address.ToString().ShouldBe("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    }

    [Theory]
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231")]
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231z")]
    [InlineData("")]
    public void ParseHex_Malformed_ThrowsWithoutEchoingText(string text)
    {
        var error = Should.Throw<FormatException>(() => PrivateKey.ParseHex(text));
        if (text.Length > 0)
        {
            error.Message.ShouldNotContain(text[2..20], Case.Insensitive);
        }
    }

    [Fact]
    public void ToString_NeverShowsKey()
    {
        using var key = PrivateKey.ParseHex(KeyHex);
        var text = key.ToString();
        text.ShouldNotContain(KeyHex[2..], Case.Insensitive);
        text.ShouldNotContain(KeyHex[2..18], Case.Insensitive);
        text.ShouldContain(key.Address.ToString());
    }

    [Fact]
    public void Dispose_ZeroesSecretAndBlocksUse()
    {
        var key = PrivateKey.ParseHex(KeyHex);
        var field = typeof(PrivateKey).GetField("_secret", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var secret = (byte[])field.GetValue(key)!;
        Hex.Encode(secret).ShouldBe(KeyHex);

        key.Dispose();

        secret.ShouldAllBe(b => b == 0);
        Should.Throw<ObjectDisposedException>(() => key.Sign(new byte[32]));
        Should.Throw<ObjectDisposedException>(() => key.CopySecretTo(new byte[32]));
        key.ToString().ShouldNotContain(KeyHex[2..], Case.Insensitive);
    }

    [Fact]
    public void CopySecretTo_GivesTheKeyBytes()
    {
        using var key = PrivateKey.ParseHex(KeyHex);
        var copy = new byte[32];
        key.CopySecretTo(copy);
        Hex.Encode(copy).ShouldBe(KeyHex);
        Should.Throw<ArgumentException>(() => key.CopySecretTo(new byte[31]));
    }

    [Fact]
    public void Sign_SameInput_IsDeterministic_AndHashLengthChecked()
    {
        using var key = PrivateKey.ParseHex(KeyHex);
        var hash = Keccak256.HashUtf8("deterministic");
        key.Sign(hash).ShouldBe(key.Sign(hash));
        Should.Throw<ArgumentException>(() => key.Sign(new byte[31]));
    }

    [Fact]
    public void Generate_GivesDistinctWorkingKeys()
    {
        using var a = PrivateKey.Generate();
        using var b = PrivateKey.Generate();
        a.Address.ShouldNotBe(b.Address);
        var hash = Keccak256.HashUtf8("generated");
        a.Sign(hash).RecoverAddress(hash).ShouldBe(a.Address);
    }

    [Fact]
    public void ActiveBackend_OnThisMachine_IsNative()
    {
        // .ci/bootstrap.sh installs libsecp256k1; the fallback is chosen only when it is missing
        // or SETTLEMENT_SECP256K1_BACKEND=bouncycastle forces it.
        var forced = Environment.GetEnvironmentVariable("SETTLEMENT_SECP256K1_BACKEND");
        Secp256k1Diagnostics.NativeAvailable.ShouldBeTrue();
        Secp256k1Diagnostics.ActiveBackend.ShouldBe(
            string.Equals(forced, "bouncycastle", StringComparison.OrdinalIgnoreCase) ? "BouncyCastle" : "libsecp256k1");
    }
}

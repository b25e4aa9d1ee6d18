using System.Security.Cryptography;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

public sealed class EcdsaSignatureTests
{
    private static readonly byte[] N = Convert.FromHexString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    private static readonly byte[] HalfN = Convert.FromHexString("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
    private static readonly byte[] One = Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000001");

    private static byte[] Plus(byte[] value, int delta)
    {
        var big = new System.Numerics.BigInteger(value, isUnsigned: true, isBigEndian: true) + delta;
        var bytes = big.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[32];
        bytes.CopyTo(result, 32 - bytes.Length);
        return result;
    }

    [Fact]
    public void TryCreate_BoundaryValues_AcceptsOnlyCanonical()
    {
        EcdsaSignature.TryCreate(One, One, 0, out _).ShouldBeTrue();
        EcdsaSignature.TryCreate(Plus(N, -1), HalfN, 1, out _).ShouldBeTrue();
        EcdsaSignature.TryCreate(new byte[32], One, 0, out _).ShouldBeFalse("r = 0");
        EcdsaSignature.TryCreate(One, new byte[32], 0, out _).ShouldBeFalse("s = 0");
        EcdsaSignature.TryCreate(N, One, 0, out _).ShouldBeFalse("r = n");
        EcdsaSignature.TryCreate(One, N, 0, out _).ShouldBeFalse("s = n");
        EcdsaSignature.TryCreate(One, Plus(HalfN, 1), 0, out _).ShouldBeFalse("s = n/2 + 1 (high s)");
        EcdsaSignature.TryCreate(One, Plus(N, -1), 0, out _).ShouldBeFalse("s = n - 1 (high s)");
        EcdsaSignature.TryCreate(One, One, 2, out _).ShouldBeFalse("recovery id 2");
        EcdsaSignature.TryCreate(One.AsSpan(1), One, 0, out _).ShouldBeFalse("31-byte r");
    }

    [Fact]
    public void TryParseRsv_HighSTwinOfValidSignature_IsRejected()
    {
        var vector = SigningVectors.Cases[10];
        byte[] rsv = [.. vector.R, .. vector.S, vector.V];
        EcdsaSignature.TryParseRsv(rsv, out var valid).ShouldBeTrue();
        valid.RecoverAddress(vector.Hash).ToString().ShouldBe(vector.Address);

        // (r, n - s, v ^ 1) recovers the same key on a lax verifier; EIP-2 forbids it.
        var highS = (new System.Numerics.BigInteger(N, true, true) - new System.Numerics.BigInteger(vector.S, true, true))
            .ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] twin = [.. vector.R, .. new byte[32 - highS.Length], .. highS, (byte)(vector.V == 27 ? 28 : 27)];
        EcdsaSignature.TryParseRsv(twin, out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => EcdsaSignature.ParseRsv(twin)).Message.ShouldContain("high-s");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(27, 0)]
    [InlineData(28, 1)]
    public void TryParseRsv_AcceptedV_MapsToRecoveryId(byte v, byte expectedRecoveryId)
    {
        byte[] rsv = [.. One, .. One, v];
        EcdsaSignature.TryParseRsv(rsv, out var signature).ShouldBeTrue();
        signature.RecoveryId.ShouldBe(expectedRecoveryId);
        signature.V.ShouldBe((byte)(27 + expectedRecoveryId));
        signature.ToRsv()[64].ShouldBe((byte)(27 + expectedRecoveryId));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(26)]
    [InlineData(29)]
    [InlineData(37)]
    [InlineData(255)]
    public void ParseRsv_OtherV_ThrowsFormatExceptionNamingV(byte v)
    {
        byte[] rsv = [.. One, .. One, v];
        EcdsaSignature.TryParseRsv(rsv, out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => EcdsaSignature.ParseRsv(rsv)).Message.ShouldContain($"got {v}");
    }

    [Fact]
    public void ParseRsv_WrongLengthOrRange_ThrowsWithReason()
    {
        Should.Throw<FormatException>(() => EcdsaSignature.ParseRsv(new byte[64])).Message.ShouldContain("65 bytes");
        Should.Throw<FormatException>(() => EcdsaSignature.ParseRsv([.. N, .. One, 27])).Message.ShouldContain("r is zero");
        Should.Throw<FormatException>(() => EcdsaSignature.ParseRsv([.. One, .. new byte[32], 27])).Message.ShouldContain("s is zero");
    }

    [Fact]
    public void ToRsvAndParseRsv_RoundTrip_Equal()
    {
        using var key = PrivateKey.Create(SigningVectors.Cases[3].PrivateKey);
        var signature = key.Sign(Keccak(1));
        var parsed = EcdsaSignature.ParseRsv(signature.ToRsv());
        parsed.ShouldBe(signature);
        (parsed == signature).ShouldBeTrue();
        parsed.GetHashCode().ShouldBe(signature.GetHashCode());
        parsed.ToString().ShouldBe(Hex.Encode(signature.ToRsv()));
        var other = key.Sign(Keccak(2));
        (other != signature).ShouldBeTrue();
    }

    [Fact]
    public void RecoverAddress_WrongHash_GivesOtherAddress()
    {
        using var key = PrivateKey.Create(SigningVectors.Cases[5].PrivateKey);
        var signature = key.Sign(Keccak(1));
        signature.RecoverAddress(Keccak(1)).ShouldBe(key.Address);
        signature.RecoverAddress(Keccak(2)).ShouldNotBe(key.Address);
    }

    [Fact]
    public void RecoverAddress_BadHashLengthOrDefault_FailsCleanly()
    {
        using var key = PrivateKey.Create(SigningVectors.Cases[5].PrivateKey);
        var signature = key.Sign(Keccak(1));
        signature.TryRecoverAddress(new byte[31], out _).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => signature.RecoverAddress(new byte[31]));
        default(EcdsaSignature).TryRecoverAddress(Keccak(1), out _).ShouldBeFalse();
        Should.Throw<CryptographicException>(() => default(EcdsaSignature).RecoverAddress(Keccak(1)));
        PublicKey.TryRecover(new byte[33], signature, out var none).ShouldBeFalse();
        none.ShouldBeNull();
    }

    private static byte[] Keccak(int i) => Keccak256.HashUtf8($"message {i}");
}

using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Storage;
using Settlement.Ethereum.Addresses;
using static Settlement.Channels.IntegrationTests.Storage.Shared.SharedRows;

namespace Settlement.Channels.IntegrationTests.Storage.Shared;

/// <summary>The column encoding both stores share: exact words, exact refusals.</summary>
public sealed class StorageCodecTests
{
    private static readonly BigInteger MaxWord = BigInteger.Parse("115792089237316195423570985008687907853269984665640564039457584007913129639935");

    [Fact]
    public void EncodeAmount_SmallValue_IsBigEndianWordPaddedWithZeros()
    {
        StorageCodec.EncodeAmount(0x0102, "x").ShouldBe(Word("0102"));
        StorageCodec.EncodeAmount(BigInteger.Zero, "x").ShouldBe(new byte[32]);
    }

    [Fact]
    public void EncodeAmount_LargestWord_IsAllOnes()
    {
        StorageCodec.EncodeAmount(MaxWord, "x").ShouldBe(Repeat(0xff, 32));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void EncodeAmount_OutOfRange_RefusesNamingTheParameter(int side)
    {
        var value = side < 0 ? BigInteger.MinusOne : MaxWord + 1;

        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.EncodeAmount(value, "amount"));

        ex.ParamName.ShouldBe("amount");
        ex.Message.ShouldBe("An amount is between 0 and 2^256 - 1. (Parameter 'amount')");
    }

    [Fact]
    public void TryDecodeAmount_WordOfOtherLength_IsRefusedWithZero()
    {
        StorageCodec.TryDecodeAmount(Repeat(0x01, 31), out var value).ShouldBeFalse();
        value.ShouldBe(BigInteger.Zero);
        StorageCodec.TryDecodeAmount(Word("0102"), out value).ShouldBeTrue();
        value.ShouldBe(new BigInteger(0x0102));
    }

    [Fact]
    public void ValidateVoucher_NullSignature_NamesTheMember()
    {
        var voucher = new StoredVoucher(Key(), Address.FromBytes(Repeat(0x22, 20)), 1, null!, At);

        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate(voucher, "v")).ParamName.ShouldBe("v.Signature");
    }

    [Fact]
    public void ValidateVoucher_ZeroAmount_ExactRefusal()
    {
        var voucher = new StoredVoucher(Key(), Address.FromBytes(Repeat(0x22, 20)), 0, Signature(), At);

        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.Validate(voucher, "v"));

        ex.Message.ShouldBe($"The cumulative amount of the voucher for channel {Key()} is not between 1 and 2^96 - 1. (Parameter 'v')");
    }

    [Fact]
    public void ValidateVoucher_ShortSignature_ExactRefusal()
    {
        var voucher = new StoredVoucher(Key(), Address.FromBytes(Repeat(0x22, 20)), 1, Repeat(0x11, 64), At);

        var ex = Should.Throw<ArgumentException>(() => StorageCodec.Validate(voucher, "v"));

        ex.Message.ShouldBe($"The signature of the voucher for channel {Key()} is invalid: a signature is 65 bytes, got 64. (Parameter 'v')");
    }

    [Fact]
    public void ValidateVoucher_BadV_ExactRefusal()
    {
        var voucher = new StoredVoucher(Key(), Address.FromBytes(Repeat(0x22, 20)), 1, Signature(29), At);

        var ex = Should.Throw<ArgumentException>(() => StorageCodec.Validate(voucher, "v"));

        ex.Message.ShouldBe($"The signature of the voucher for channel {Key()} is invalid: its v is 29, expected 27 or 28. (Parameter 'v')");
    }

    [Fact]
    public void TryCheckSignature_Valid_NoError()
    {
        StorageCodec.TryCheckSignature(Signature(28), out var error).ShouldBeTrue();
        error.ShouldBe(string.Empty);
    }

    [Fact]
    public void ValidateChannel_MissingParts_NameTheMember()
    {
        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate((StoredChannel)null!, "c")).ParamName.ShouldBe("c");
        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate(new StoredChannel(null!, 1), "c")).ParamName.ShouldBe("c.View");
        var view = new PayeeChannelView(Key(), null!, 0, 0, 0, 0, 0, false);
        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate(new StoredChannel(view, 1), "c")).ParamName.ShouldBe("c.View.Parameters");
    }

    [Fact]
    public void ValidateChannel_BlockAboveLongMax_ExactRefusal()
    {
        var parameters = new ChannelParameters(Address.FromBytes(Repeat(1, 20)), Address.FromBytes(Repeat(2, 20)), Address.FromBytes(Repeat(3, 20)), 60, 0);
        var view = new PayeeChannelView(Key(), parameters, 0, 0, 0, 0, 0, false);

        StorageCodec.Validate(new StoredChannel(view, long.MaxValue), "c");
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.Validate(new StoredChannel(view, (ulong)long.MaxValue + 1), "c"));

        ex.Message.ShouldBe("A block number is at most 2^63 - 1. (Parameter 'c')");
    }

    [Fact]
    public void ValidateAgreement_Null_NamesTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate((CloseAgreement)null!, "a")).ParamName.ShouldBe("a");
    }

    [Fact]
    public void ValidateAgreement_ZeroDeadline_ExactRefusal()
    {
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.Validate(new CloseAgreement(Key(), 1, 0, 0, Signature()), "a"));

        ex.Message.ShouldBe("A close agreement's deadline is a unix time between 1 and 2^63 - 1. (Parameter 'a')");
    }

    [Fact]
    public void ValidateAgreement_BadSignature_ExactRefusal()
    {
        var ex = Should.Throw<ArgumentException>(() => StorageCodec.Validate(new CloseAgreement(Key(), 1, 0, 1, Signature(26)), "a"));

        ex.Message.ShouldBe($"The signature of the close agreement for channel {Key()} is invalid: its v is 26, expected 27 or 28. (Parameter 'a')");
    }

    [Fact]
    public void ValidateRefund_Null_NamesTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => StorageCodec.Validate((IssuedRefund)null!, "r")).ParamName.ShouldBe("r");
    }

    [Fact]
    public void ValidateRefund_EmptyIdempotencyKey_ExactRefusal()
    {
        var ex = Should.Throw<ArgumentException>(() => StorageCodec.Validate(new IssuedRefund(Key(), "", 0, 1, Signature(), At), "r"));

        ex.Message.ShouldBe("A refund's idempotency key is 1 to 128 printable ASCII characters. (Parameter 'r')");
    }

    [Fact]
    public void ValidateRefund_NotAboveThePreviousOne_ExactRefusal()
    {
        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.Validate(new IssuedRefund(Key(), "k", 5, 5, Signature(), At), "r"));

        ex.Message.ShouldBe("A refund's cumulative amount is above its previous one and below 2^96. (Parameter 'r')");
    }

    [Fact]
    public void ValidateRefund_BadSignature_ExactRefusal()
    {
        var ex = Should.Throw<ArgumentException>(() => StorageCodec.Validate(new IssuedRefund(Key(), "k", 0, 1, Repeat(0x11, 66), At), "r"));

        ex.Message.ShouldBe($"The signature of the refund for channel {Key()} is invalid: a signature is 65 bytes, got 66. (Parameter 'r')");
    }

    [Fact]
    public void ValidateFlag_UnknownRule_ExactRefusal()
    {
        var flag = new VelocityFlag(Key(), Address.FromBytes(Repeat(0x22, 20)), (VelocityRule)99, 1, 1, false, At);

        var ex = Should.Throw<ArgumentOutOfRangeException>(() => StorageCodec.Validate(flag, "f"));

        ex.Message.ShouldBe("Velocity rule 99 is not defined. (Parameter 'f')");
    }

    [Fact]
    public void TryDecodeKey_Corrupt_DescribesEachColumn()
    {
        StorageCodec.TryDecodeKey(DBNull.Value, Repeat(0xab, 2), "x", out var key, out var error).ShouldBeFalse();

        key.ShouldBe(default);
        error.ShouldBe("a row has a corrupt channel key (chain NULL, contract 0xabab (2 bytes), channel String)");
    }

    [Fact]
    public void TryDecodeKey_NullChain_DescribedAsNull()
    {
        StorageCodec.TryDecodeKey(null, Repeat(0xaa, 20), Repeat(0x01, 32), out _, out var error).ShouldBeFalse();

        error.ShouldBe("a row has a corrupt channel key (chain NULL, contract 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (20 bytes), channel 0x0101010101010101010101010101010101010101010101010101010101010101 (32 bytes))");
    }

    [Fact]
    public void TryDecodeKey_Valid_ChainReadAsUnsigned()
    {
        StorageCodec.TryDecodeKey(-1L, Repeat(0xaa, 20), Repeat(0x01, 32), out var key, out var error).ShouldBeTrue();

        key.ShouldBe(Key(ulong.MaxValue));
        error.ShouldBe(string.Empty);
    }

    [Fact]
    public void TryDecodeAddress_OtherLength_Refused()
    {
        StorageCodec.TryDecodeAddress(Repeat(0xaa, 19), out var address).ShouldBeFalse();
        address.ShouldBe(default);
        StorageCodec.TryDecodeAddress(Repeat(0xaa, 20), out address).ShouldBeTrue();
        address.ShouldBe(Address.FromBytes(Repeat(0xaa, 20)));
    }

    [Fact]
    public void CorruptKey_ExactMessage()
    {
        StorageCodec.CorruptKey("voucher", "why").Message.ShouldBe("The voucher table is corrupt: why.");
    }
}

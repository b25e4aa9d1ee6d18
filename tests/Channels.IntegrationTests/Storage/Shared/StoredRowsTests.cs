using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Storage;
using Settlement.Ethereum.Addresses;
using static Settlement.Channels.IntegrationTests.Storage.Shared.SharedRows;

namespace Settlement.Channels.IntegrationTests.Storage.Shared;

/// <summary>Decoding raw columns into records: every boundary and every refusal message, written out by hand.</summary>
public sealed class StoredRowsTests
{
    private static readonly object Chain = 1L;
    private static readonly byte[] Contract = Repeat(0xaa, 20);
    private static readonly byte[] ChannelBytes = Repeat(0x01, 32);

    private static string Prefix(string table) => $"The {table} row of channel {Key()} is corrupt: ";

    private static Channels.Payee.Refunds.IssuedRefund Refund(object? previous, object? cumulative, object? signature = null, string id = "k") =>
        StoredRows.Refund(Chain, Contract, ChannelBytes, id, previous, cumulative, signature ?? Signature(), At);

    [Fact]
    public void Refund_Valid_DecodesEveryField()
    {
        var refund = Refund(Word("05"), Word("0100"));

        refund.Key.ShouldBe(Key());
        refund.IdempotencyKey.ShouldBe("k");
        refund.Previous.ShouldBe(new BigInteger(5));
        refund.Cumulative.ShouldBe(new BigInteger(256));
        refund.IssuedAt.ShouldBe(At);
    }

    [Fact]
    public void Refund_LargestAmount_Decodes()
    {
        Refund(Word("00"), Word(new string('f', 24))).Cumulative.ShouldBe((BigInteger.One << 96) - 1);
    }

    [Theory]
    [InlineData("05", "05")]
    [InlineData("05", "04")]
    [InlineData("00", "01000000000000000000000000")]
    public void Refund_AmountNotAbovePreviousOrAtLimit_Corrupt(string previous, string cumulative)
    {
        var ex = Should.Throw<InvalidDataException>(() => Refund(Word(previous), Word(cumulative)));

        ex.Message.ShouldBe(Prefix("refund") + "the idempotency key or an amount does not decode.");
    }

    [Fact]
    public void Refund_BadSignatureOrTime_Corrupt()
    {
        var ex = Should.Throw<InvalidDataException>(() => Refund(Word("00"), Word("01"), Signature(30)));
        ex.Message.ShouldBe(Prefix("refund") + "the signature or the time is missing or invalid.");

        ex = Should.Throw<InvalidDataException>(() => StoredRows.Refund(Chain, Contract, ChannelBytes, "k", Word("00"), Word("01"), Signature(), null));
        ex.Message.ShouldBe(Prefix("refund") + "the signature or the time is missing or invalid.");
    }

    [Fact]
    public void Request_NoTime_Corrupt()
    {
        StoredRows.Request(Chain, Contract, ChannelBytes, At).RequestedAt.ShouldBe(At);

        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Request(Chain, Contract, ChannelBytes, null));

        ex.Message.ShouldBe(Prefix("close request") + "the request time is missing or invalid.");
    }

    [Fact]
    public void Agreement_Valid_DecodesEveryField()
    {
        var agreement = StoredRows.Agreement(Chain, Contract, ChannelBytes, Word("07"), Word("03"), 1L, Signature());

        agreement.PayerToPayee.ShouldBe(new BigInteger(7));
        agreement.PayeeToPayer.ShouldBe(new BigInteger(3));
        agreement.Deadline.ShouldBe(1UL);
        agreement.Signature.ShouldBe(Signature());
    }

    [Fact]
    public void Agreement_ShortAmount_Corrupt()
    {
        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Agreement(Chain, Contract, ChannelBytes, Word("07"), Repeat(0, 31), 1L, Signature()));

        ex.Message.ShouldBe(Prefix("close agreement") + "an amount is not a 32-byte word.");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Agreement_DeadlineNotPositive_Corrupt(long deadline)
    {
        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Agreement(Chain, Contract, ChannelBytes, Word("07"), Word("03"), deadline, Signature()));

        ex.Message.ShouldBe(Prefix("close agreement") + "the deadline is not a positive unix time.");
    }

    [Fact]
    public void Agreement_BadSignature_Corrupt()
    {
        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Agreement(Chain, Contract, ChannelBytes, Word("07"), Word("03"), 1L, Signature(0)));

        ex.Message.ShouldBe(Prefix("close agreement") + "the signature is missing or invalid.");
    }

    [Fact]
    public void Voucher_Valid_DecodesEveryField()
    {
        var voucher = StoredRows.Voucher(Chain, Contract, ChannelBytes, Repeat(0x22, 20), Word(new string('f', 24)), Signature(), At);

        voucher.Key.ShouldBe(Key());
        voucher.Signer.ShouldBe(Address.FromBytes(Repeat(0x22, 20)));
        voucher.Cumulative.ShouldBe((BigInteger.One << 96) - 1);
        voucher.ReceivedAt.ShouldBe(At);
    }

    [Fact]
    public void Voucher_ShortSigner_Corrupt()
    {
        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Voucher(Chain, Contract, ChannelBytes, Repeat(0x22, 19), Word("01"), Signature(), At));

        ex.Message.ShouldBe(Prefix("voucher") + "the signer is not 20 bytes.");
    }

    [Theory]
    [InlineData("00")]
    [InlineData("01000000000000000000000000")]
    public void Voucher_AmountZeroOrAtLimit_Corrupt(string cumulative)
    {
        var ex = Should.Throw<InvalidDataException>(() => StoredRows.Voucher(Chain, Contract, ChannelBytes, Repeat(0x22, 20), Word(cumulative), Signature(), At));

        ex.Message.ShouldBe(Prefix("voucher") + "the cumulative amount is not a 32-byte word between 1 and 2^96 - 1.");
    }

    [Fact]
    public void Voucher_NoSignatureOrTime_Corrupt()
    {
        Should.Throw<InvalidDataException>(() => StoredRows.Voucher(Chain, Contract, ChannelBytes, Repeat(0x22, 20), Word("01"), DBNull.Value, At))
            .Message.ShouldBe(Prefix("voucher") + "the signature is missing.");
        Should.Throw<InvalidDataException>(() => StoredRows.Voucher(Chain, Contract, ChannelBytes, Repeat(0x22, 20), Word("01"), Signature(), null))
            .Message.ShouldBe(Prefix("voucher") + "the receipt time does not decode.");
    }

    [Fact]
    public void Voucher_CorruptKey_NamesTheTable()
    {
        Should.Throw<InvalidDataException>(() => StoredRows.Voucher(Chain, Contract, Repeat(1, 31), Repeat(0x22, 20), Word("01"), Signature(), At))
            .Message.ShouldStartWith("The voucher table is corrupt: a row has a corrupt channel key (chain Int64, contract 0xaaaa");
    }

    private static object? Column(int index, int corrupt, object? value, object? bad) => index == corrupt ? bad : value;

    private static StoredChannel ChannelRow(int corrupt = -1, object? bad = null, object? period = null, object? block = null) =>
        StoredRows.Channel(
            Chain, Contract, ChannelBytes,
            Column(0, corrupt, Repeat(1, 20), bad), Column(1, corrupt, Repeat(2, 20), bad), Column(2, corrupt, Repeat(3, 20), bad),
            period ?? 60L, -2L,
            Column(3, corrupt, Word("0a"), bad), Column(4, corrupt, Word("0b"), bad), Column(5, corrupt, Word("0c"), bad), Column(6, corrupt, Word("0d"), bad),
            Column(7, corrupt, 9L, bad), corrupt == 8 ? null : true, block ?? 0L);

    [Fact]
    public void Channel_Valid_DecodesEveryField()
    {
        var channel = ChannelRow(period: 0L, block: 0L);

        channel.BlockNumber.ShouldBe(0UL);
        channel.View.Key.ShouldBe(Key());
        channel.View.Parameters.ShouldBe(new ChannelParameters(
            Address.FromBytes(Repeat(1, 20)), Address.FromBytes(Repeat(2, 20)), Address.FromBytes(Repeat(3, 20)), 0, ulong.MaxValue - 1));
        channel.View.PayerDeposit.ShouldBe(new BigInteger(10));
        channel.View.RedeemedByPayee.ShouldBe(new BigInteger(11));
        channel.View.PayeeDeposit.ShouldBe(new BigInteger(12));
        channel.View.RedeemedByPayer.ShouldBe(new BigInteger(13));
        channel.View.CloseDeadline.ShouldBe(9UL);
        channel.View.Settled.ShouldBeTrue();
    }

    [Fact]
    public void Channel_LargestChallengePeriod_Decodes()
    {
        ChannelRow(period: (long)uint.MaxValue).View.Parameters.ChallengePeriodSeconds.ShouldBe(uint.MaxValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Channel_ShortAddress_Corrupt(int column)
    {
        Should.Throw<InvalidDataException>(() => ChannelRow(column, Repeat(1, 19)))
            .Message.ShouldBe(Prefix("channel") + "the payer, payee or token is not 20 bytes.");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(4294967296L)]
    public void Channel_ChallengePeriodOutOfRange_Corrupt(long period)
    {
        Should.Throw<InvalidDataException>(() => ChannelRow(period: period))
            .Message.ShouldBe(Prefix("channel") + "the challenge period or nonce is out of range.");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public void Channel_ShortAmount_Corrupt(int column)
    {
        Should.Throw<InvalidDataException>(() => ChannelRow(column, Repeat(1, 31)))
            .Message.ShouldBe(Prefix("channel") + "a deposit or redeemed amount is not a 32-byte word.");
    }

    [Theory]
    [InlineData(7, 0L)]
    [InlineData(8, 0L)]
    [InlineData(-1, -1L)]
    public void Channel_DeadlineSettledOrBlock_Corrupt(int corrupt, long block)
    {
        Should.Throw<InvalidDataException>(() => ChannelRow(corrupt, "x", block: block))
            .Message.ShouldBe(Prefix("channel") + "the close deadline, settled flag or block number does not decode.");
    }

    private static VelocityFlag Flag(object? payer = null, object? rule = null, object? observed = null, bool? refused = true, DateTimeOffset? at = null) =>
        StoredRows.Flag(Chain, Contract, ChannelBytes, payer ?? Repeat(0x22, 20), rule ?? 4L, observed ?? Word("0102"), Word("03"), refused, at ?? At);

    [Fact]
    public void Flag_Valid_DecodesEveryField()
    {
        var flag = Flag();

        flag.Payer.ShouldBe(Address.FromBytes(Repeat(0x22, 20)));
        flag.Rule.ShouldBe(VelocityRule.PayerValuePerMinute);
        flag.Observed.ShouldBe(new BigInteger(0x0102));
        flag.Threshold.ShouldBe(new BigInteger(3));
        flag.Refused.ShouldBeTrue();
        flag.RaisedAt.ShouldBe(At);
    }

    [Fact]
    public void Flag_ShortPayer_Corrupt()
    {
        Should.Throw<InvalidDataException>(() => Flag(payer: Repeat(0x22, 21))).Message.ShouldBe(Prefix("velocity flag") + "the payer is not 20 bytes.");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(5L)]
    [InlineData(255L)]
    [InlineData(257L)]
    [InlineData(-255L)]
    public void Flag_UnknownRule_Corrupt(long rule)
    {
        Should.Throw<InvalidDataException>(() => Flag(rule: rule)).Message.ShouldBe(Prefix("velocity flag") + $"the rule {rule} is not a known velocity rule.");
    }

    [Fact]
    public void Flag_ShortObserved_Corrupt()
    {
        Should.Throw<InvalidDataException>(() => Flag(observed: Repeat(0, 33)))
            .Message.ShouldBe(Prefix("velocity flag") + "the observed value or threshold is not a 32-byte word.");
    }

    [Fact]
    public void Flag_NoRefusedFlag_Corrupt()
    {
        Should.Throw<InvalidDataException>(() => Flag(refused: null))
            .Message.ShouldBe(Prefix("velocity flag") + "the refused flag or the time does not decode.");
    }
}

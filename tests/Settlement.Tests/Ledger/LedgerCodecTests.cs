using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// The stores' column encoding: 128-bit values as 16 big-endian bytes (hex written out by hand), journal and account
/// rows decoded column by column, every malformed column refused (false or the exact <see cref="InvalidDataException"/>),
/// and the ranges of the small integer columns at their edges.
/// </summary>
public sealed class LedgerCodecTests
{
    private const long Ticks = 638_765_000_000_000_000;
    private static readonly UInt128 Counting = new(0x0102_0304_0506_0708, 0x090A_0B0C_0D0E_0F10);

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Blob(byte last) => [.. new byte[15], last];

    [Theory]
    [InlineData("zero", "00000000000000000000000000000000")]
    [InlineData("one", "00000000000000000000000000000001")]
    [InlineData("counting", "0102030405060708090a0b0c0d0e0f10")]
    [InlineData("2^64", "00000000000000010000000000000000")]
    [InlineData("max", "ffffffffffffffffffffffffffffffff")]
    public void Encode_Value_SixteenBigEndianBytesAndBack(string name, string hex)
    {
        var value = name switch
        {
            "zero" => UInt128.Zero,
            "one" => UInt128.One,
            "counting" => Counting,
            "2^64" => (UInt128)ulong.MaxValue + 1,
            _ => UInt128.MaxValue,
        };

        Convert.ToHexStringLower(LedgerCodec.Encode(value)).ShouldBe(hex);
        LedgerCodec.TryDecode(Hex(hex), out var decoded).ShouldBeTrue();
        decoded.ShouldBe(value);
        LedgerCodec.Decode(Hex(hex), "amount").ShouldBe(value);
    }

    public static TheoryData<string> NotSixteenBytes => ["null", "15 bytes", "17 bytes", "empty", "long", "hex string", "DBNull"];

    private static object? Column(string kind) => kind switch
    {
        "null" => null,
        "15 bytes" => new byte[15],
        "17 bytes" => new byte[17],
        "empty" => Array.Empty<byte>(),
        "long" => 5L,
        "hex string" => "00000000000000000000000000000005",
        _ => DBNull.Value,
    };

    [Theory]
    [MemberData(nameof(NotSixteenBytes))]
    public void TryDecode_NotSixteenBytes_FalseAndZero(string kind)
    {
        LedgerCodec.TryDecode(Column(kind), out var value).ShouldBeFalse();
        value.ShouldBe(UInt128.Zero);
    }

    [Theory]
    [MemberData(nameof(NotSixteenBytes))]
    public void Decode_NotSixteenBytes_ThrowsNamingWhat(string kind) =>
        Should.Throw<InvalidDataException>(() => LedgerCodec.Decode(Column(kind), "transfer id"))
            .Message.ShouldBe("The ledger's transfer id is not a 16-byte value.");

    /// <summary>A journal row's columns: seq 7, kind 2, id 0x0102…10, debit 3, credit 4, amount max, pending 9, user data 1, ledger 2, code 3, flags 4, timeout 60.</summary>
    private static object?[] EntryColumns() =>
    [
        7L, 2L, Hex("0102030405060708090a0b0c0d0e0f10"), Blob(3), Blob(4), Hex("ffffffffffffffffffffffffffffffff"), Blob(9), Blob(1),
        2L, 3L, 4L, 60L, Ticks,
    ];

    [Fact]
    public void TryDecodeEntry_EveryColumn_WhereTheLayoutSays()
    {
        LedgerCodec.TryDecodeEntry(EntryColumns(), out var entry).ShouldBeTrue();

        entry.ShouldBe(new JournalEntry(7, JournalKind.TransferCreated, Counting, 3, 4, UInt128.MaxValue, 9, 1, 2, 3, 4, 60, Ticks));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("DBNull")]
    public void TryDecodeEntry_NoPendingId_Zero(string kind)
    {
        var c = EntryColumns();
        c[6] = kind == "null" ? null : DBNull.Value;

        LedgerCodec.TryDecodeEntry(c, out var entry).ShouldBeTrue();

        entry.PendingId.ShouldBe(UInt128.Zero);
        entry.Id.ShouldBe(Counting);
    }

    [Theory]
    [InlineData(8, 0L)]
    [InlineData(8, 4_294_967_295L)]
    [InlineData(9, 0L)]
    [InlineData(9, 65_535L)]
    [InlineData(10, 0L)]
    [InlineData(10, 65_535L)]
    [InlineData(11, 0L)]
    [InlineData(11, 4_294_967_295L)]
    [InlineData(1, 1L)]
    [InlineData(1, 3L)]
    [InlineData(12, long.MinValue)]
    [InlineData(0, 0L)]
    public void TryDecodeEntry_SmallIntegersAtTheirEdges_Decoded(int column, long value)
    {
        var c = EntryColumns();
        c[column] = value;

        LedgerCodec.TryDecodeEntry(c, out var entry).ShouldBeTrue();

        var read = column switch
        {
            0 => entry.Seq,
            1 => (long)entry.Kind,
            8 => entry.Ledger,
            9 => entry.Code,
            10 => entry.Flags,
            11 => entry.Timeout,
            _ => entry.CreatedAtTicks,
        };
        read.ShouldBe(value);
    }

    public static TheoryData<int, string> BadEntryColumns => new()
    {
        { 0, "int" }, { 0, "null" }, { 1, "0" }, { 1, "4" }, { 1, "-1" }, { 1, "int" },
        { 2, "15 bytes" }, { 3, "17 bytes" }, { 4, "null" }, { 5, "long" }, { 6, "15 bytes" }, { 6, "long" }, { 7, "null" },
        { 8, "-1" }, { 8, "4294967296" }, { 8, "int" }, { 9, "-1" }, { 9, "65536" }, { 9, "int" },
        { 10, "-1" }, { 10, "65536" }, { 10, "int" }, { 11, "-1" }, { 11, "4294967296" }, { 11, "int" }, { 12, "int" }, { 12, "null" },
    };

    [Theory]
    [MemberData(nameof(BadEntryColumns))]
    public void TryDecodeEntry_OneBadColumn_FalseAndDefault(int column, string bad)
    {
        var c = EntryColumns();
        c[column] = BadValue(bad);

        LedgerCodec.TryDecodeEntry(c, out var entry).ShouldBeFalse();

        entry.ShouldBe(default);
    }

    [Fact]
    public void TryDecodeEntry_TwelveColumns_False()
    {
        LedgerCodec.TryDecodeEntry(EntryColumns()[..12], out var entry).ShouldBeFalse();
        entry.ShouldBe(default);
    }

    [Fact]
    public void TryDecodeEntry_ExtraColumns_Ignored()
    {
        LedgerCodec.TryDecodeEntry([.. EntryColumns(), "extra"], out var entry).ShouldBeTrue();
        entry.Seq.ShouldBe(7);
    }

    /// <summary>An account row's columns: id 0x0102…10, ledger 1, code 2, flags 6, user data 5, balances 1, 2, 3, max.</summary>
    private static object?[] AccountColumns() =>
    [
        Hex("0102030405060708090a0b0c0d0e0f10"), 1L, 2L, 6L, Blob(5), Blob(1), Blob(2), Blob(3), Hex("ffffffffffffffffffffffffffffffff"), Ticks,
    ];

    [Fact]
    public void DecodeAccount_EveryColumn_WhereTheLayoutSays() =>
        LedgerCodec.DecodeAccount(AccountColumns()).ShouldBe(new AccountBalances(
            new Account(Counting, 1, 2, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits, 5),
            1, 2, 3, UInt128.MaxValue, new DateTimeOffset(Ticks, TimeSpan.Zero)));

    [Theory]
    [InlineData(1, 0L)]
    [InlineData(1, 4_294_967_295L)]
    [InlineData(2, 0L)]
    [InlineData(2, 65_535L)]
    [InlineData(3, 0L)]
    [InlineData(3, 65_535L)]
    public void DecodeAccount_SmallIntegersAtTheirEdges_Decoded(int column, long value)
    {
        var c = AccountColumns();
        c[column] = value;

        var account = LedgerCodec.DecodeAccount(c).Account;

        (column switch { 1 => account.Ledger, 2 => account.Code, _ => (long)account.Flags }).ShouldBe(value);
    }

    [Theory]
    [InlineData("9 columns")]
    [InlineData("15-byte id")]
    [InlineData("null id")]
    public void DecodeAccount_NoId_ThrowsCorruptId(string how)
    {
        var c = how == "9 columns" ? AccountColumns()[..9] : AccountColumns();
        if (how != "9 columns")
        {
            c[0] = how == "null id" ? null : new byte[15];
        }

        Should.Throw<InvalidDataException>(() => LedgerCodec.DecodeAccount(c)).Message.ShouldBe("A ledger account row has a corrupt id.");
    }

    public static TheoryData<int, string> BadAccountColumns => new()
    {
        { 1, "-1" }, { 1, "4294967296" }, { 1, "int" }, { 2, "-1" }, { 2, "65536" }, { 2, "int" }, { 3, "-1" }, { 3, "65536" }, { 3, "int" },
        { 4, "15 bytes" }, { 5, "null" }, { 6, "17 bytes" }, { 7, "long" }, { 8, "15 bytes" }, { 9, "int" }, { 9, "null" },
    };

    [Theory]
    [MemberData(nameof(BadAccountColumns))]
    public void DecodeAccount_OneBadColumn_ThrowsNamingTheAccount(int column, string bad)
    {
        var c = AccountColumns();
        c[column] = BadValue(bad);

        // 0x0102…10 in decimal, worked out with Python: int('0102030405060708090a0b0c0d0e0f10', 16).
        Should.Throw<InvalidDataException>(() => LedgerCodec.DecodeAccount(c))
            .Message.ShouldBe("The ledger account row 1339673755198158349044581307228491536 is corrupt.");
    }

    /// <summary>The wrong value a bad-column case names: another type, null, a wrong length, or a number out of range.</summary>
    private static object? BadValue(string bad) => bad switch
    {
        "int" => 2,
        "null" => null,
        "15 bytes" => new byte[15],
        "17 bytes" => new byte[17],
        "long" => 9L,
        _ => long.Parse(bad, System.Globalization.CultureInfo.InvariantCulture),
    };
}

using System.Numerics;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// The journal's hash chain against hashes computed outside this codebase: Python's hashlib over the layout the
/// <see cref="JournalHash"/> documentation states (seq i64 ‖ kind u8 ‖ six u128 ‖ ledger u32 ‖ code u16 ‖ flags u16 ‖
/// timeout u32 ‖ created_at i64, big-endian, after the previous hash). Writer and verifier share the layout, so only
/// a fixed vector catches a change to it (a mutation run showed every offset could move unnoticed). Every field holds
/// distinct bytes, so moving, dropping or swapping any of them changes the hash.
/// The Python that computed them is in the comment below.
/// </summary>
public sealed class JournalHashVectorTests
{
    // def canon(seq,kind,ids,ledger,code,flags,timeout,created):
    //     b = struct.pack('>qB', seq, kind) + b''.join(v.to_bytes(16, 'big') for v in ids)
    //     return b + struct.pack('>IHHIq', ledger, code, flags, timeout, created)
    // h1 = sha256(bytes(32) + canon(1, 2, [2**127+5, 0x11112222333344445555666677778888, 3, 2**64+7, 9, 2**100],
    //                               0x01020304, 0x0506, 0x0708, 0x090A0B0C, 638000000000000000))
    // h2 = sha256(h1 + canon(2, 3, [77, 0xAB, 0xCD, 10**30, 77, 0], 7, 1, 0, 0, 638000000000000001))
    private const string First = "cf4ce0fe90dd0ff3e83ce056c75c3dbfc96d1c1425de50b90d86f23d9ea57a6e";
    private const string Second = "6e87a774bce9ce7bf389ae96814f4f5c0dfc42b7b47f2e9e13da32fa44861465";

    private static readonly JournalEntry Row1 = new(
        1, JournalKind.TransferCreated,
        (UInt128.One << 127) + 5,
        new UInt128(0x1111_2222_3333_4444, 0x5555_6666_7777_8888),
        3,
        (UInt128)ulong.MaxValue + 8,
        9,
        UInt128.One << 100,
        0x01020304, 0x0506, 0x0708, 0x090A0B0C, 638_000_000_000_000_000);

    private static readonly JournalEntry Row2 = new(
        2, JournalKind.PendingExpired, 77, 0xAB, 0xCD, (UInt128)BigInteger.Pow(10, 30), 77, 0, 7, 1, 0, 0, 638_000_000_000_000_001);

    [Fact]
    public void Chain_OfTwoRows_EqualsHashesComputedIndependently()
    {
        var first = JournalHash.Compute(JournalHash.Genesis, Row1);
        var second = JournalHash.Compute(first, Row2);

        Convert.ToHexStringLower(first).ShouldBe(First);
        Convert.ToHexStringLower(second).ShouldBe(Second);
    }

    [Fact]
    public void Canonical_Is125BytesWithEachFieldWhereTheLayoutSays()
    {
        var bytes = new byte[JournalHash.CanonicalLength];
        JournalHash.WriteCanonical(bytes, Row1);

        bytes.Length.ShouldBe(125);
        Convert.ToHexStringLower(bytes.AsSpan(0, 9)).ShouldBe("000000000000000102");                         // seq, kind
        Convert.ToHexStringLower(bytes.AsSpan(9, 16)).ShouldBe("80000000000000000000000000000005");          // id
        Convert.ToHexStringLower(bytes.AsSpan(105, 20)).ShouldBe("01020304" + "0506" + "0708" + "090a0b0c" + "08daa19ea6b30000"); // ledger … created_at
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Compute_PreviousHashNot32Bytes_Refused(int length)
    {
        var bad = Should.Throw<ArgumentException>(() => JournalHash.Compute(new byte[length], Row1));

        bad.ParamName.ShouldBe("previous");
        bad.Message.ShouldBe("A journal hash is 32 bytes. (Parameter 'previous')");
    }
}

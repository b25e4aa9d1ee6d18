using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Ethereum.Addresses;
using static Settlement.Channels.Tests.Transport.FrameSamples;

namespace Settlement.Channels.Tests.Transport;

public sealed class PayeeFrameCodecTests
{
    private static readonly byte[] R = Enumerable.Repeat((byte)0x22, 32).ToArray();
    private static readonly byte[] S = Enumerable.Repeat((byte)0x33, 32).ToArray();

    // Channel 0x11…11, amount 1,000,000 (0x0F4240), r = 0x22…22, s = 0x33…33, v = 28 (yParity 1).
    private const string VoucherHex =
        "03"
        + "1111111111111111111111111111111111111111111111111111111111111111"
        + "03 0F4240"
        + "2222222222222222222222222222222222222222222222222222222222222222"
        + "B333333333333333333333333333333333333333333333333333333333333333";

    private const string AckHex =
        "83"
        + "1111111111111111111111111111111111111111111111111111111111111111"
        + "02 0C"
        + "03 0F4240"
        + "03 1E8480";

    private static readonly BigInteger Million = 1_000_000;

    private static VoucherFrame SampleVoucher(BigInteger amount, byte v = 28) => new(Channel, amount, (byte[])[.. R, .. S, v]);

    [Fact]
    public void Encode_Voucher_MatchesHandComputedBytes()
    {
        var bytes = PayeeFrameCodec.Encode(SampleVoucher(Million));

        bytes.ShouldBe(FromHex(VoucherHex));
        bytes.Length.ShouldBe(101);
    }

    [Fact]
    public void Encode_VoucherWithRecoveryIdZero_LeavesTopBitOfSClear()
    {
        var bytes = PayeeFrameCodec.Encode(SampleVoucher(Million, v: 27));

        bytes[1 + 32 + 4 + 32].ShouldBe((byte)0x33);
        PayeeFrameCodec.Encode(SampleVoucher(Million, v: 0)).ShouldBe(bytes);
    }

    [Fact]
    public void TryDecode_HandComputedVoucher_GivesAmountAndRsvSignature()
    {
        PayeeFrameCodec.TryDecode(FromHex(VoucherHex), out var frame, out var error).ShouldBeTrue();

        error.ShouldBe((VoucherRejectCode)0);
        var voucher = frame.ShouldBeOfType<VoucherFrame>();
        voucher.ChannelId.ShouldBe(Channel);
        voucher.CumulativeAmount.ShouldBe(Million);
        voucher.Signature.ToArray().ShouldBe((byte[])[.. R, .. S, 28]);
    }

    [Fact]
    public void Encode_RejectedAck_MatchesHandComputedBytes()
    {
        var ack = new AckFrame(Channel, AckOutcome.Rejected, VoucherRejectCode.Stale, Million, 2_000_000);

        PayeeFrameCodec.Encode(ack).ShouldBe(FromHex(AckHex));
    }

    [Fact]
    public void Encode_Hello_MatchesLayout()
    {
        var bytes = PayeeFrameCodec.Encode(new HelloFrame(1, 31337, Contract));

        bytes.ShouldBe(FromHex("01 01 0000000000007A69 5FBDB2315678AFECB367F032D93F642F64180AA3"));
    }

    [Fact]
    public void Encode_HelloAckReceiptRequestErrorAndReceipt_MatchLayout()
    {
        var payee = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        PayeeFrameCodec.Encode(new HelloAckFrame(1, payee, 100, 30, 256))
            .ShouldBe(FromHex("81 01 70997970C51812DC3A010C7D01B50E0D17DC79C8 0064 001E 0100"));
        PayeeFrameCodec.Encode(new ReceiptRequestFrame(Channel)).ShouldBe(FromHex("04" + new string('1', 64)));
        PayeeFrameCodec.Encode(new ErrorFrame(VoucherRejectCode.WrongChain)).ShouldBe(FromHex("FF 03"));
        PayeeFrameCodec.Encode(new ReceiptFrame(Channel, 0, 0x665F_0000, (byte[])[.. R, .. S, 27]))
            .ShouldBe(FromHex("84" + new string('1', 64) + "00 00000000665F0000" + new string('2', 64) + new string('3', 64) + "1B"));
    }

    [Fact]
    public void Refund_MatchesLayoutAndRoundTrips()
    {
        var refund = new RefundFrame(Channel, 0x0F4240, (byte[])[.. R, .. S, 28]);

        var bytes = PayeeFrameCodec.Encode(refund);

        bytes.ShouldBe(FromHex("85" + new string('1', 64) + "03 0F4240" + new string('2', 64) + new string('3', 64) + "1C"));
        PayeeFrameCodec.Decode(bytes).ShouldBe(refund);
        PayeeJsonCodec.TryDecode(PayeeJsonCodec.Encode(refund), out var fromJson, out _).ShouldBeTrue();
        fromJson.ShouldBe(refund);
        PayeeFrameCodec.Encode(new RefundFrame(Channel, 0, (byte[])[.. R, .. S, 27])).Length.ShouldBe(PayeeFrames.RefundMinLength);
        PayeeFrameCodec.Encode(new RefundFrame(Channel, PayeeFrames.MaxAmount, (byte[])[.. R, .. S, 27])).Length.ShouldBe(111);
        PayeeFrames.MaxLengthOf(PayeeFrameType.Refund).ShouldBe(111);
        PayeeFrameCodec.TryDecode([.. bytes[..^1], 29], out _, out var badV).ShouldBeFalse();
        badV.ShouldBe(VoucherRejectCode.MalformedFrame);
        PayeeFrameCodec.TryDecode(bytes[..^1], out _, out var shortFrame).ShouldBeFalse();
        shortFrame.ShouldBe(VoucherRejectCode.MalformedFrame);
        PayeeFrameCodec.TryDecode([.. bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], out _, out var longFrame).ShouldBeFalse();
        longFrame.ShouldBe(VoucherRejectCode.OversizedFrame);
    }

    [Fact]
    public void Sizes_EveryFrameType_AreAsSpecified()
    {
        PayeeFrameCodec.Encode(new HelloFrame(1, 1, Contract)).Length.ShouldBe(30);
        PayeeFrameCodec.Encode(SampleVoucher(0)).Length.ShouldBe(98);
        PayeeFrameCodec.Encode(SampleVoucher(PayeeFrames.MaxAmount)).Length.ShouldBe(110);
        PayeeFrameCodec.Encode(new ReceiptRequestFrame(Channel)).Length.ShouldBe(33);
        PayeeFrameCodec.Encode(new HelloAckFrame(1, Contract, 1, 1, 1)).Length.ShouldBe(28);
        PayeeFrameCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, null, 0, 0)).Length.ShouldBe(37);
        PayeeFrameCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, null, PayeeFrames.MaxAmount, PayeeFrames.MaxAmount)).Length.ShouldBe(61);
        PayeeFrameCodec.Encode(new ReceiptFrame(Channel, 0, 1, (byte[])[.. R, .. S, 27])).Length.ShouldBe(107);
        PayeeFrameCodec.Encode(new ReceiptFrame(Channel, PayeeFrames.MaxAmount, 1, (byte[])[.. R, .. S, 27])).Length.ShouldBe(119);
        PayeeFrameCodec.Encode(new ErrorFrame(VoucherRejectCode.Unavailable)).Length.ShouldBe(2);
        foreach (var type in Types)
        {
            PayeeFrames.MaxLengthOf(type).ShouldBeLessThanOrEqualTo(PayeeFrames.MaxFrameLength);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(255, 1)]
    [InlineData(256, 2)]
    [InlineData(1_000_000, 3)]
    public void Encode_Amount_IsMinimalBigEndian(long amount, int expectedLength)
    {
        var bytes = PayeeFrameCodec.Encode(SampleVoucher(amount));

        bytes[33].ShouldBe((byte)expectedLength);
        bytes.Length.ShouldBe(98 + expectedLength);
        if (expectedLength > 0)
        {
            bytes[34].ShouldNotBe((byte)0);
        }
    }

    [Fact]
    public void Encode_AmountOf2To96_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => PayeeFrameCodec.Encode(SampleVoucher(PayeeFrames.MaxAmount + 1)));
        Should.Throw<ArgumentOutOfRangeException>(() => PayeeFrameCodec.Encode(SampleVoucher(-1)));
    }

    [Fact]
    public void Encode_InvalidFrames_Throw()
    {
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new VoucherFrame(Channel, 1, new byte[64])));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(SampleVoucher(1, v: 29)));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, VoucherRejectCode.Stale, 1, 1)));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new AckFrame(Channel, AckOutcome.Rejected, null, 1, 1)));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new AckFrame(Channel, (AckOutcome)3, null, 1, 1)));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new ErrorFrame(0)));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(new ReceiptFrame(Channel, 1, 1, (byte[])[.. R, .. S, 29])));
        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(SampleVoucher(Million), new byte[100]));
    }

    [Fact]
    public void Encode_SpanOverload_WritesSameBytesAndReturnsLength()
    {
        Span<byte> buffer = stackalloc byte[PayeeFrames.MaxFrameLength];
        var frame = SampleVoucher(Million);

        var written = PayeeFrameCodec.Encode(frame, buffer);

        written.ShouldBe(PayeeFrameCodec.GetEncodedLength(frame));
        buffer[..written].ToArray().ShouldBe(FromHex(VoucherHex));
    }

    public static TheoryData<string, byte[], VoucherRejectCode> RefusedFrames()
    {
        var voucher0 = PayeeFrameCodec.Encode(SampleVoucher(0));
        var voucher12 = PayeeFrameCodec.Encode(SampleVoucher(PayeeFrames.MaxAmount));
        var hello = PayeeFrameCodec.Encode(new HelloFrame(1, 1, Contract));
        var helloAck = PayeeFrameCodec.Encode(new HelloAckFrame(1, Contract, 1, 1, 1));
        var request = PayeeFrameCodec.Encode(new ReceiptRequestFrame(Channel));
        var ack = PayeeFrameCodec.Encode(new AckFrame(Channel, AckOutcome.Accepted, null, 0, 0));
        var receipt = PayeeFrameCodec.Encode(new ReceiptFrame(Channel, 0, 1, (byte[])[.. R, .. S, 27]));
        var data = new TheoryData<string, byte[], VoucherRejectCode>
        {
            { "empty", [], VoucherRejectCode.MalformedFrame },
            { "129 bytes", new byte[129], VoucherRejectCode.OversizedFrame },
            { "129-byte voucher", [.. voucher12, .. new byte[19]], VoucherRejectCode.OversizedFrame },
            { "200 bytes", new byte[200], VoucherRejectCode.OversizedFrame },
            { "unknown type 0x00", [0x00], VoucherRejectCode.MalformedFrame },
            { "unknown type 0x02", [0x02, .. request[1..]], VoucherRejectCode.MalformedFrame },
            { "unknown type 0x80", [0x80], VoucherRejectCode.MalformedFrame },
            { "type byte only", [0x03], VoucherRejectCode.MalformedFrame },
            { "hello short", hello[..29], VoucherRejectCode.MalformedFrame },
            { "hello long", [.. hello, 0], VoucherRejectCode.OversizedFrame },
            { "hello version 0", With(hello, 1, 0), VoucherRejectCode.MalformedFrame },
            { "hello version 2", With(hello, 1, 2), VoucherRejectCode.MalformedFrame },
            { "voucher short signature", voucher0[..97], VoucherRejectCode.MalformedFrame },
            { "voucher without amount", voucher0[..33], VoucherRejectCode.MalformedFrame },
            { "voucher amount cut", voucher12[..40], VoucherRejectCode.MalformedFrame },
            { "voucher trailing byte", [.. voucher0, 0], VoucherRejectCode.MalformedFrame },
            { "voucher 12-byte amount trailing byte (111)", [.. voucher12, 0], VoucherRejectCode.OversizedFrame },
            { "voucher amount length 13", Voucher13(), VoucherRejectCode.ExceedsDeposit },
            { "voucher amount length 255", With(voucher0, 33, 255), VoucherRejectCode.ExceedsDeposit },
            { "voucher amount 1 byte zero", [.. voucher0[..33], 1, 0, .. voucher0[34..]], VoucherRejectCode.MalformedFrame },
            { "voucher amount leading zero", [.. voucher0[..33], 2, 0, 5, .. voucher0[34..]], VoucherRejectCode.MalformedFrame },
            { "receipt request short", request[..32], VoucherRejectCode.MalformedFrame },
            { "receipt request long", [.. request, 0], VoucherRejectCode.OversizedFrame },
            { "hello ack version 2", With(helloAck, 1, 2), VoucherRejectCode.MalformedFrame },
            { "hello ack short", helloAck[..27], VoucherRejectCode.MalformedFrame },
            { "hello ack long", [.. helloAck, 0], VoucherRejectCode.OversizedFrame },
            { "ack outcome 3", With(ack, 33, 3), VoucherRejectCode.MalformedFrame },
            { "ack accepted with code", With(ack, 34, 5), VoucherRejectCode.MalformedFrame },
            { "ack duplicate with code", With(With(ack, 33, 1), 34, 5), VoucherRejectCode.MalformedFrame },
            { "ack rejected without code", With(ack, 33, 2), VoucherRejectCode.MalformedFrame },
            { "ack stored length 13", With(ack, 36, 13), VoucherRejectCode.ExceedsDeposit },
            { "ack stored missing", ack[..36], VoucherRejectCode.MalformedFrame },
            { "ack trailing byte", [.. ack, 0], VoucherRejectCode.MalformedFrame },
            { "receipt v 0", With(receipt, 106, 0), VoucherRejectCode.MalformedFrame },
            { "receipt v 29", With(receipt, 106, 29), VoucherRejectCode.MalformedFrame },
            { "receipt short", receipt[..106], VoucherRejectCode.MalformedFrame },
            { "receipt amount length 13", With(receipt, 33, 13), VoucherRejectCode.ExceedsDeposit },
            { "error code 0", [0xFF, 0x00], VoucherRejectCode.MalformedFrame },
            { "error without code", [0xFF], VoucherRejectCode.MalformedFrame },
            { "error long", [0xFF, 0x03, 0x00], VoucherRejectCode.OversizedFrame },
        };
        return data;

        byte[] Voucher13()
        {
            // A well-formed 111-byte voucher whose amount is 13 bytes (2^96 and more): no deposit can cover it.
            byte[] amount = [0x01, .. new byte[12]];
            return [.. voucher0[..33], 13, .. amount, .. voucher0[34..]];
        }
    }

    [Theory]
    [MemberData(nameof(RefusedFrames))]
    public void TryDecode_RefusedFrame_GivesExactCode(string name, byte[] bytes, VoucherRejectCode expected)
    {
        PayeeFrameCodec.TryDecode(bytes, out var frame, out var error).ShouldBeFalse(name);

        frame.ShouldBeNull();
        error.ShouldBe(expected, name);
        Should.Throw<FormatException>(() => PayeeFrameCodec.Decode(bytes));
    }

    [Fact]
    public void TryDecode_VoucherWith12ByteAmount_Is110BytesAndAccepted()
    {
        var bytes = PayeeFrameCodec.Encode(SampleVoucher(PayeeFrames.MaxAmount));

        bytes.Length.ShouldBe(PayeeFrames.VoucherMaxLength);
        bytes.Length.ShouldBe(110);
        PayeeFrameCodec.TryDecode(bytes, out var frame, out _).ShouldBeTrue();
        ((VoucherFrame)frame).CumulativeAmount.ShouldBe(PayeeFrames.MaxAmount);
    }

    [Fact]
    public void TryDecode_Voucher_AllocatesOnlyTheFrameIdAndSignature()
    {
        var bytes = PayeeFrameCodec.Encode(SampleVoucher(PayeeFrames.MaxAmount));
        PayeeFrameCodec.TryDecode(bytes, out _, out _).ShouldBeTrue(); // JIT and static initialisation

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            PayeeFrameCodec.TryDecode(bytes, out _, out _);
        }

        // The frame, the 32-byte id, the 65-byte r‖s‖v and a 96-bit BigInteger's digits: about 250 bytes.
        ((GC.GetAllocatedBytesForCurrentThread() - before) / 1_000).ShouldBeLessThan(320);
    }

    [Fact]
    public void TryDecode_RejectedAckWithCodeThisBuildDoesNotKnow_IsCarried()
    {
        var bytes = With(FromHex(AckHex), 34, 200);

        PayeeFrameCodec.TryDecode(bytes, out var frame, out _).ShouldBeTrue();

        ((AckFrame)frame).RejectCode.ShouldBe((VoucherRejectCode)200);
        PayeeFrameCodec.Encode(frame).ShouldBe(bytes);
    }

    [Fact]
    public void TryDecode_SameVoucherTwice_GivesEqualFrames()
    {
        PayeeFrameCodec.TryDecode(FromHex(VoucherHex), out var first, out _).ShouldBeTrue();
        PayeeFrameCodec.TryDecode(FromHex(VoucherHex), out var second, out _).ShouldBeTrue();

        second.ShouldBe(first);
        second.GetHashCode().ShouldBe(first.GetHashCode());
        first.ToString()!.ShouldContain("0x2222");
    }

    [Fact]
    public void FromOutcome_EachOutcome_NamesStoredAmount()
    {
        AckFrame.FromOutcome(Channel, 5, new VoucherAccepted(5, 2))
            .ShouldBe(new AckFrame(Channel, AckOutcome.Accepted, null, 5, 5));
        AckFrame.FromOutcome(Channel, 5, new VoucherDuplicate(5))
            .ShouldBe(new AckFrame(Channel, AckOutcome.Duplicate, null, 5, 5));
        AckFrame.FromOutcome(Channel, 3, new VoucherRejected(VoucherRejectCode.Stale, 5))
            .ShouldBe(new AckFrame(Channel, AckOutcome.Rejected, VoucherRejectCode.Stale, 3, 5));
    }

    private static byte[] With(byte[] bytes, int index, byte value)
    {
        var copy = bytes.ToArray();
        copy[index] = value;
        return copy;
    }
}

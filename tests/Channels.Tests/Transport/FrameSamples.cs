using System.Buffers.Binary;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Transport;

/// <summary>Valid frames of every type: FsCheck generators for properties and a seeded source for the fuzzers.</summary>
internal static class FrameSamples
{
    public static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    public static readonly ChannelId Channel = ChannelId.FromBytes(Enumerable.Repeat((byte)0x11, 32).ToArray());

    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    private static readonly Gen<ChannelId> AnyChannelId = Gen.ArrayOf(AnyByte, 32).Select(b => ChannelId.FromBytes(b));

    private static readonly Gen<Address> AnyAddress = Gen.ArrayOf(AnyByte, 20).Select(b => Address.FromBytes(b));

    private static readonly Gen<ulong> AnyUInt64 = Gen.ArrayOf(AnyByte, 8).Select(b => BinaryPrimitives.ReadUInt64BigEndian(b));

    private static readonly Gen<ushort> AnyUInt16 = Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i);

    /// <summary>0 and 2^96 − 1 often, otherwise an amount of a random byte length 1..12.</summary>
    private static readonly Gen<BigInteger> AnyAmount = Gen.Frequency(
        (1, Gen.Constant(BigInteger.Zero)),
        (1, Gen.Constant(PayeeFrames.MaxAmount)),
        (8, Gen.Choose(1, 12).SelectMany(length => Gen.ArrayOf(AnyByte, length))
            .Select(bytes => new BigInteger(bytes, isUnsigned: true, isBigEndian: true))));

    /// <summary>r‖s‖v with v 27/28 and s below 2^255 (what compact form carries, high s included).</summary>
    private static readonly Gen<byte[]> AnyVoucherSignature =
        Gen.ArrayOf(AnyByte, 64).Zip(Gen.Elements<byte>(27, 28)).Select(t =>
        {
            var (rs, v) = t;
            rs[32] &= 0x7F;
            return (byte[])[.. rs, v];
        });

    private static readonly Gen<byte[]> AnyReceiptSignature =
        Gen.ArrayOf(AnyByte, 64).Zip(Gen.Elements<byte>(27, 28)).Select(t => (byte[])[.. t.Item1, t.Item2]);

    private static readonly Gen<(AckOutcome Outcome, VoucherRejectCode? Code)> AnyAckOutcome = Gen.OneOf(
        Gen.Constant<(AckOutcome, VoucherRejectCode?)>((AckOutcome.Accepted, null)),
        Gen.Constant<(AckOutcome, VoucherRejectCode?)>((AckOutcome.Duplicate, null)),
        Gen.Choose(1, 255).Select(code => (AckOutcome.Rejected, (VoucherRejectCode?)(VoucherRejectCode)code)));

    /// <summary>Any valid frame of any type.</summary>
    public static Gen<PayeeFrame> AnyFrame { get; } = Gen.OneOf(
        AnyUInt64.Zip(AnyAddress, (chainId, contract) => (PayeeFrame)new HelloFrame(PayeeFrames.Version, chainId, contract)),
        AnyChannelId.Zip(AnyAmount, (id, amount) => (id, amount))
            .Zip(AnyVoucherSignature, (t, signature) => (PayeeFrame)new VoucherFrame(t.id, t.amount, signature)),
        AnyChannelId.Select(id => (PayeeFrame)new ReceiptRequestFrame(id)),
        AnyAddress.Zip(AnyUInt16, (payee, vouchers) => (payee, vouchers))
            .Zip(AnyUInt16, (t, seconds) => (t.payee, t.vouchers, seconds))
            .Zip(AnyUInt16, (t, inFlight) => (PayeeFrame)new HelloAckFrame(PayeeFrames.Version, t.payee, t.vouchers, t.seconds, inFlight)),
        AnyChannelId.Zip(AnyAckOutcome, (id, outcome) => (id, outcome))
            .Zip(AnyAmount, (t, submitted) => (t.id, t.outcome, submitted))
            .Zip(AnyAmount, (t, stored) => (PayeeFrame)new AckFrame(t.id, t.outcome.Outcome, t.outcome.Code, t.submitted, stored)),
        AnyChannelId.Zip(AnyAmount, (id, amount) => (id, amount))
            .Zip(AnyUInt64, (t, issuedAt) => (t.id, t.amount, issuedAt))
            .Zip(AnyReceiptSignature, (t, signature) => (PayeeFrame)new ReceiptFrame(t.id, t.amount, t.issuedAt, signature)),
        AnyChannelId.Zip(AnyAmount, (id, amount) => (id, amount))
            .Zip(AnyReceiptSignature, (t, signature) => (PayeeFrame)new RefundFrame(t.id, t.amount, signature)),
        Gen.Choose(1, 255).Select(code => (PayeeFrame)new ErrorFrame((VoucherRejectCode)code)));

    /// <summary>Frames of every type drawn from a seeded <see cref="Random"/> (the fuzzers must reproduce exactly).</summary>
    public static PayeeFrame Random(Random random, PayeeFrameType type)
    {
        return type switch
        {
            PayeeFrameType.Hello => new HelloFrame(PayeeFrames.Version, (ulong)random.NextInt64(), Address.FromBytes(Bytes(20))),
            PayeeFrameType.Voucher => new VoucherFrame(Id(), Amount(), VoucherSignature()),
            PayeeFrameType.ReceiptRequest => new ReceiptRequestFrame(Id()),
            PayeeFrameType.HelloAck => new HelloAckFrame(
                PayeeFrames.Version, Address.FromBytes(Bytes(20)), UInt16(), UInt16(), UInt16()),
            PayeeFrameType.Ack => (random.Next(3)) switch
            {
                0 => new AckFrame(Id(), AckOutcome.Accepted, null, Amount(), Amount()),
                1 => new AckFrame(Id(), AckOutcome.Duplicate, null, Amount(), Amount()),
                _ => new AckFrame(Id(), AckOutcome.Rejected, (VoucherRejectCode)random.Next(1, 256), Amount(), Amount()),
            },
            PayeeFrameType.Receipt => new ReceiptFrame(Id(), Amount(), (ulong)random.NextInt64(), (byte[])[.. Bytes(64), (byte)random.Next(27, 29)]),
            PayeeFrameType.Refund => new RefundFrame(Id(), Amount(), (byte[])[.. Bytes(64), (byte)random.Next(27, 29)]),
            _ => new ErrorFrame((VoucherRejectCode)random.Next(1, 256)),
        };

        byte[] Bytes(int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        ChannelId Id() => ChannelId.FromBytes(Bytes(32));

        ushort UInt16() => (ushort)random.Next(ushort.MaxValue + 1);

        BigInteger Amount()
        {
            var length = random.Next(13);
            var bytes = Bytes(length);
            return length == 0 ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        }

        byte[] VoucherSignature()
        {
            var rs = Bytes(64);
            rs[32] &= 0x7F;
            return [.. rs, (byte)random.Next(27, 29)];
        }
    }

    /// <summary>Every frame type.</summary>
    public static IReadOnlyList<PayeeFrameType> Types { get; } = Enum.GetValues<PayeeFrameType>();

    /// <summary>A hex string without 0x as bytes (for readable expected layouts).</summary>
    public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
}

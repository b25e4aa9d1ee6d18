using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport;

/// <summary>
/// The binary payee wire format (docs/payee.md, "Wire format"). Strict: every message has exactly one valid encoding
/// (minimal amounts, no trailing bytes, fixed lengths), so fuzzing and signatures are unambiguous, and decoding never
/// throws on untrusted bytes.
/// </summary>
public static class PayeeFrameCodec
{
    /// <summary>The number of bytes <paramref name="frame"/> encodes to.</summary>
    /// <param name="frame">The frame.</param>
    /// <exception cref="ArgumentException">The frame cannot be encoded (see <see cref="Encode(PayeeFrame, Span{byte})"/>).</exception>
    public static int GetEncodedLength(PayeeFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame switch
        {
            HelloFrame => PayeeFrames.HelloLength,
            VoucherFrame voucher => PayeeFrames.VoucherMinLength + AmountDigits(voucher.CumulativeAmount),
            ReceiptRequestFrame => PayeeFrames.ReceiptRequestLength,
            HelloAckFrame => PayeeFrames.HelloAckLength,
            AckFrame ack => PayeeFrames.AckMinLength + AmountDigits(ack.SubmittedAmount) + AmountDigits(ack.StoredAmount),
            ReceiptFrame receipt => PayeeFrames.ReceiptMinLength + AmountDigits(receipt.CumulativeAmount),
            RefundFrame refund => PayeeFrames.RefundMinLength + AmountDigits(refund.CumulativeAmount),
            ErrorFrame => PayeeFrames.ErrorLength,
            _ => throw new ArgumentException($"Unknown frame type {frame.GetType().Name}.", nameof(frame)),
        };
    }

    /// <summary>Encodes a frame into a new array.</summary>
    /// <param name="frame">The frame.</param>
    /// <exception cref="ArgumentException">The frame cannot be encoded (see <see cref="Encode(PayeeFrame, Span{byte})"/>).</exception>
    public static byte[] Encode(PayeeFrame frame)
    {
        Span<byte> buffer = stackalloc byte[PayeeFrames.MaxFrameLength];
        var length = Encode(frame, buffer);
        return buffer[..length].ToArray();
    }

    /// <summary>Encodes a frame into <paramref name="destination"/> and returns the number of bytes written.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="destination">Receives the frame; <see cref="PayeeFrames.MaxFrameLength"/> bytes always suffice.</param>
    /// <exception cref="ArgumentException">
    /// The destination is too short, or the frame cannot be encoded: an amount outside [0, 2^96), a signature that is
    /// not 65 bytes or whose v is not 0, 1, 27 or 28, a voucher signature whose s has its top bit set (EIP-2098 has no
    /// room for it; this library's signer always produces low s), an ACK whose reject code does not match its outcome,
    /// or an ERROR with code 0.
    /// </exception>
    public static int Encode(PayeeFrame frame, Span<byte> destination)
    {
        var length = GetEncodedLength(frame);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The frame needs {length} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        var writer = new Writer(destination[..length]);
        writer.Byte((byte)frame.Type);
        switch (frame)
        {
            case HelloFrame hello:
                writer.Byte(hello.Version);
                writer.UInt64(hello.ChainId);
                writer.Bytes(hello.Contract.Bytes);
                break;
            case VoucherFrame voucher:
                writer.Bytes(voucher.ChannelId.Bytes);
                writer.Amount(voucher.CumulativeAmount);
                WriteCompact(voucher.Signature.Span, writer.Take(PayeeFrames.CompactSignatureLength));
                break;
            case ReceiptRequestFrame request:
                writer.Bytes(request.ChannelId.Bytes);
                break;
            case HelloAckFrame helloAck:
                writer.Byte(helloAck.Version);
                writer.Bytes(helloAck.Payee.Bytes);
                writer.UInt16(helloAck.ReceiptEveryVouchers);
                writer.UInt16(helloAck.ReceiptEverySeconds);
                writer.UInt16(helloAck.MaxVouchersInFlight);
                break;
            case AckFrame ack:
                writer.Bytes(ack.ChannelId.Bytes);
                writer.Byte(AckBytes(ack, out var code));
                writer.Byte(code);
                writer.Amount(ack.SubmittedAmount);
                writer.Amount(ack.StoredAmount);
                break;
            case ReceiptFrame receipt:
                writer.Bytes(receipt.ChannelId.Bytes);
                writer.Amount(receipt.CumulativeAmount);
                writer.UInt64(receipt.IssuedAt);
                WriteRsv(receipt.Signature.Span, writer.Take(PayeeFrames.RsvSignatureLength));
                break;
            case RefundFrame refund:
                writer.Bytes(refund.ChannelId.Bytes);
                writer.Amount(refund.CumulativeAmount);
                WriteRsv(refund.Signature.Span, writer.Take(PayeeFrames.RsvSignatureLength));
                break;
            case ErrorFrame error:
                if (error.Code == 0)
                {
                    throw new ArgumentException("An ERROR frame's code is never 0.", nameof(frame));
                }

                writer.Byte((byte)error.Code);
                break;
        }

        return length;
    }

    /// <summary>
    /// Decodes one frame. Never throws. A frame longer than <see cref="PayeeFrames.MaxFrameLength"/> is
    /// <see cref="VoucherRejectCode.OversizedFrame"/> without being read; otherwise the fields are read in order and the
    /// first problem decides: an amount length above 12 is <see cref="VoucherRejectCode.ExceedsDeposit"/> (every deposit
    /// is below 2^96); bytes left after the last field are <see cref="VoucherRejectCode.OversizedFrame"/> when the frame
    /// is longer than the longest frame of its type; anything else (empty, unknown type, short, an invalid field, a
    /// non-minimal amount) is <see cref="VoucherRejectCode.MalformedFrame"/>.
    /// </summary>
    /// <param name="bytes">One WebSocket binary message or HTTP body.</param>
    /// <param name="frame">The frame, when true.</param>
    /// <param name="error">Why the bytes were refused, when false; 0 when true.</param>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PayeeFrame? frame, out VoucherRejectCode error)
    {
        frame = null;
        if (bytes.Length > PayeeFrames.MaxFrameLength)
        {
            error = VoucherRejectCode.OversizedFrame;
            return false;
        }

        if (bytes.IsEmpty)
        {
            error = VoucherRejectCode.MalformedFrame;
            return false;
        }

        var reader = new Reader(bytes);
        frame = (PayeeFrameType)bytes[0] switch
        {
            PayeeFrameType.Voucher => ReadVoucher(ref reader),
            PayeeFrameType.Hello => ReadHello(ref reader),
            PayeeFrameType.ReceiptRequest => ReadReceiptRequest(ref reader),
            PayeeFrameType.HelloAck => ReadHelloAck(ref reader),
            PayeeFrameType.Ack => ReadAck(ref reader),
            PayeeFrameType.Receipt => ReadReceipt(ref reader),
            PayeeFrameType.Refund => ReadRefund(ref reader),
            PayeeFrameType.Error => ReadError(ref reader),
            _ => reader.Fail<PayeeFrame>(),
        };

        if (frame is not null && !reader.End(PayeeFrames.MaxLengthOf(frame.Type)))
        {
            frame = null;
        }

        error = reader.Error;
        return frame is not null;
    }

    /// <summary>Decodes one frame.</summary>
    /// <param name="bytes">The frame's bytes.</param>
    /// <exception cref="FormatException">The bytes are not a valid frame; the message names the reject code.</exception>
    public static PayeeFrame Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var frame, out var error)
            ? frame
            : throw new FormatException($"Not a payee frame ({error}).");

    private static VoucherFrame? ReadVoucher(ref Reader reader)
    {
        if (!reader.TryTake(ChannelId.Length, out var channelId)
            || !reader.TryAmount(out var amount)
            || !reader.TryTake(PayeeFrames.CompactSignatureLength, out var compact))
        {
            return null;
        }

        // EIP-2098: yParityAndS = yParity << 255 | s. The s bits are copied untouched, so a high s (n/2 < s < 2^255)
        // reaches the verifier as it was sent and is refused there as HighS rather than silently normalised.
        var rsv = new byte[PayeeFrames.RsvSignatureLength];
        compact.CopyTo(rsv);
        rsv[32] &= 0x7F;
        rsv[64] = (byte)(27 + (compact[32] >> 7));
        return new VoucherFrame(ChannelId.FromBytes(channelId), amount, rsv);
    }

    private static HelloFrame? ReadHello(ref Reader reader) =>
        reader.TryVersion(out var version)
        && reader.TryUInt64(out var chainId)
        && reader.TryTake(Address.Length, out var contract)
            ? new HelloFrame(version, chainId, Address.FromBytes(contract))
            : null;

    private static ReceiptRequestFrame? ReadReceiptRequest(ref Reader reader) =>
        reader.TryTake(ChannelId.Length, out var channelId) ? new ReceiptRequestFrame(ChannelId.FromBytes(channelId)) : null;

    private static HelloAckFrame? ReadHelloAck(ref Reader reader) =>
        reader.TryVersion(out var version)
        && reader.TryTake(Address.Length, out var payee)
        && reader.TryUInt16(out var everyVouchers)
        && reader.TryUInt16(out var everySeconds)
        && reader.TryUInt16(out var inFlight)
            ? new HelloAckFrame(version, Address.FromBytes(payee), everyVouchers, everySeconds, inFlight)
            : null;

    private static AckFrame? ReadAck(ref Reader reader)
    {
        if (!reader.TryTake(ChannelId.Length, out var channelId)
            || !reader.TryByte(out var outcome)
            || !reader.TryByte(out var code))
        {
            return null;
        }

        // The code is 0 exactly when the voucher was not rejected; any other code byte is carried, so a client keeps
        // working when a newer payee adds a reject code.
        if (outcome > (byte)AckOutcome.Rejected || (outcome == (byte)AckOutcome.Rejected) != (code != 0))
        {
            return reader.Fail<AckFrame>();
        }

        if (!reader.TryAmount(out var submitted) || !reader.TryAmount(out var stored))
        {
            return null;
        }

        VoucherRejectCode? rejectCode = code == 0 ? null : (VoucherRejectCode)code;
        return new AckFrame(ChannelId.FromBytes(channelId), (AckOutcome)outcome, rejectCode, submitted, stored);
    }

    private static RefundFrame? ReadRefund(ref Reader reader)
    {
        if (!reader.TryTake(ChannelId.Length, out var channelId)
            || !reader.TryAmount(out var amount)
            || !reader.TryTake(PayeeFrames.RsvSignatureLength, out var signature))
        {
            return null;
        }

        return signature[64] is 27 or 28
            ? new RefundFrame(ChannelId.FromBytes(channelId), amount, signature.ToArray())
            : reader.Fail<RefundFrame>();
    }

    private static ReceiptFrame? ReadReceipt(ref Reader reader)
    {
        if (!reader.TryTake(ChannelId.Length, out var channelId)
            || !reader.TryAmount(out var amount)
            || !reader.TryUInt64(out var issuedAt)
            || !reader.TryTake(PayeeFrames.RsvSignatureLength, out var signature))
        {
            return null;
        }

        return signature[64] is 27 or 28
            ? new ReceiptFrame(ChannelId.FromBytes(channelId), amount, issuedAt, signature.ToArray())
            : reader.Fail<ReceiptFrame>();
    }

    private static ErrorFrame? ReadError(ref Reader reader)
    {
        if (!reader.TryByte(out var code))
        {
            return null;
        }

        return code == 0 ? reader.Fail<ErrorFrame>() : new ErrorFrame((VoucherRejectCode)code);
    }

    /// <summary>The number of amount bytes after the length byte (the minimum lengths count the length byte).</summary>
    private static int AmountDigits(BigInteger amount)
    {
        if (amount.Sign < 0 || amount > PayeeFrames.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "An amount on the wire is between 0 and 2^96 - 1.");
        }

        return amount.IsZero ? 0 : amount.GetByteCount(isUnsigned: true);
    }

    private static byte AckBytes(AckFrame ack, out byte code)
    {
        if (ack.Outcome > AckOutcome.Rejected)
        {
            throw new ArgumentException($"Unknown ACK outcome {(byte)ack.Outcome}.", nameof(ack));
        }

        code = (byte)(ack.RejectCode ?? 0);
        if ((ack.Outcome == AckOutcome.Rejected) != (code != 0))
        {
            throw new ArgumentException("An ACK carries a reject code (never 0) exactly when its outcome is Rejected.", nameof(ack));
        }

        return (byte)ack.Outcome;
    }

    private static byte RecoveryId(ReadOnlySpan<byte> rsv)
    {
        if (rsv.Length != PayeeFrames.RsvSignatureLength)
        {
            throw new ArgumentException($"A signature is 65 bytes r‖s‖v; got {rsv.Length}.", nameof(rsv));
        }

        return rsv[64] switch
        {
            0 or 27 => 0,
            1 or 28 => 1,
            _ => throw new ArgumentException($"Signature v must be 0, 1, 27 or 28; got {rsv[64]}.", nameof(rsv)),
        };
    }

    private static void WriteCompact(ReadOnlySpan<byte> rsv, Span<byte> destination)
    {
        var yParity = RecoveryId(rsv);
        if ((rsv[32] & 0x80) != 0)
        {
            throw new ArgumentException(
                "The signature's s has its top bit set: EIP-2098 compact form has no room for it (a low-s signature never has).",
                nameof(rsv));
        }

        rsv[..64].CopyTo(destination);
        destination[32] |= (byte)(yParity << 7);
    }

    private static void WriteRsv(ReadOnlySpan<byte> rsv, Span<byte> destination)
    {
        var recoveryId = RecoveryId(rsv);
        rsv[..64].CopyTo(destination);
        destination[64] = (byte)(27 + recoveryId);
    }

    /// <summary>Writes fields in order into a span already checked to be exactly the frame's length.</summary>
    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;
        private int _position;

        public Span<byte> Take(int count)
        {
            var span = _destination.Slice(_position, count);
            _position += count;
            return span;
        }

        public void Byte(byte value) => Take(1)[0] = value;

        public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

        public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

        public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

        public void Amount(BigInteger amount)
        {
            var length = amount.IsZero ? 0 : amount.GetByteCount(isUnsigned: true);
            Byte((byte)length);
            if (length > 0)
            {
                amount.TryWriteBytes(Take(length), out _, isUnsigned: true, isBigEndian: true);
            }
        }
    }

    /// <summary>Reads fields in order; the first failure records its reject code.</summary>
    private ref struct Reader(ReadOnlySpan<byte> frame)
    {
        private readonly ReadOnlySpan<byte> _frame = frame;
        private int _position = 1;

        public VoucherRejectCode Error { get; private set; }

        public bool TryTake(int count, out ReadOnlySpan<byte> bytes)
        {
            if (_frame.Length - _position < count)
            {
                bytes = default;
                Error = VoucherRejectCode.MalformedFrame;
                return false;
            }

            bytes = _frame.Slice(_position, count);
            _position += count;
            return true;
        }

        public bool TryByte(out byte value)
        {
            var ok = TryTake(1, out var bytes);
            value = ok ? bytes[0] : (byte)0;
            return ok;
        }

        public bool TryVersion(out byte version)
        {
            if (!TryByte(out version))
            {
                return false;
            }

            if (version != PayeeFrames.Version)
            {
                Error = VoucherRejectCode.MalformedFrame;
                return false;
            }

            return true;
        }

        public bool TryUInt16(out ushort value)
        {
            var ok = TryTake(2, out var bytes);
            value = ok ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0;
            return ok;
        }

        public bool TryUInt64(out ulong value)
        {
            var ok = TryTake(8, out var bytes);
            value = ok ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;
            return ok;
        }

        public bool TryAmount(out BigInteger amount)
        {
            amount = BigInteger.Zero;
            if (!TryByte(out var length))
            {
                return false;
            }

            if (length > PayeeFrames.MaxAmountLength)
            {
                Error = VoucherRejectCode.ExceedsDeposit;
                return false;
            }

            if (!TryTake(length, out var digits))
            {
                return false;
            }

            if (length > 0 && digits[0] == 0)
            {
                Error = VoucherRejectCode.MalformedFrame; // not minimal: one amount, one encoding
                return false;
            }

            if (length > 0)
            {
                amount = new BigInteger(digits, isUnsigned: true, isBigEndian: true);
            }

            return true;
        }

        public bool End(int maxLengthOfType)
        {
            if (_position == _frame.Length)
            {
                return true;
            }

            Error = _frame.Length > maxLengthOfType ? VoucherRejectCode.OversizedFrame : VoucherRejectCode.MalformedFrame;
            return false;
        }

        public T? Fail<T>()
            where T : class
        {
            Error = VoucherRejectCode.MalformedFrame;
            return null;
        }
    }
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Transport;

/// <summary>
/// The JSON debug form of the payee frames (docs/payee.md, "JSON form"): the same messages as objects with a
/// <c>"type"</c> discriminator, camelCase members, amounts as decimal strings, bytes as 0x-hex, outcomes and codes
/// as names. It carries exactly what the binary form can carry: every frame it decodes also encodes to binary.
/// Decoding never throws and reads at most <see cref="MaxInputLength"/> bytes.
/// </summary>
public static class PayeeJsonCodec
{
    /// <summary>The longest JSON document accepted, in UTF-8 bytes; a longer one is <c>OversizedFrame</c>.</summary>
    public const int MaxInputLength = 4096;

    /// <summary>The longest decimal amount: 2^96 − 1 has 29 digits.</summary>
    private const int MaxAmountDigits = 29;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 2 };

    private static readonly Dictionary<VoucherRejectCode, string> CodeNames =
        Enum.GetValues<VoucherRejectCode>().ToDictionary(code => code, code => JsonNamingPolicy.CamelCase.ConvertName(code.ToString()));

    private static readonly Dictionary<string, VoucherRejectCode> CodesByName =
        CodeNames.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    /// <summary>The camelCase name of a refusal code, as the JSON frames and HTTP 402 answers write it (e.g. <c>exceedsDeposit</c>).</summary>
    public static string CodeName(VoucherRejectCode code) =>
        CodeNames.TryGetValue(code, out var name) ? name : ((byte)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The JSON of a frame.</summary>
    /// <param name="frame">The frame.</param>
    /// <exception cref="ArgumentException">The frame cannot be encoded (as for <see cref="PayeeFrameCodec.Encode(PayeeFrame)"/>).</exception>
    public static string Encode(PayeeFrame frame) => Encoding.UTF8.GetString(EncodeUtf8(frame));

    /// <summary>The JSON of a frame as UTF-8.</summary>
    /// <param name="frame">The frame.</param>
    /// <exception cref="ArgumentException">The frame cannot be encoded (as for <see cref="PayeeFrameCodec.Encode(PayeeFrame)"/>).</exception>
    public static byte[] EncodeUtf8(PayeeFrame frame)
    {
        // The binary encoder's checks decide what is a frame at all, so the two forms never disagree.
        Span<byte> binary = stackalloc byte[PayeeFrames.MaxFrameLength];
        PayeeFrameCodec.Encode(frame, binary);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeName(frame.Type));
            switch (frame)
            {
                case HelloFrame hello:
                    writer.WriteNumber("version", hello.Version);
                    writer.WriteNumber("chainId", hello.ChainId);
                    writer.WriteString("contract", hello.Contract.ToString());
                    break;
                case VoucherFrame voucher:
                    writer.WriteString("channelId", voucher.ChannelId.ToString());
                    WriteAmount(writer, "cumulativeAmount", voucher.CumulativeAmount);
                    WriteRsv(writer, voucher.Signature.Span);
                    break;
                case ReceiptRequestFrame request:
                    writer.WriteString("channelId", request.ChannelId.ToString());
                    break;
                case HelloAckFrame helloAck:
                    writer.WriteNumber("version", helloAck.Version);
                    writer.WriteString("payee", helloAck.Payee.ToString());
                    writer.WriteNumber("receiptEveryVouchers", helloAck.ReceiptEveryVouchers);
                    writer.WriteNumber("receiptEverySeconds", helloAck.ReceiptEverySeconds);
                    writer.WriteNumber("maxVouchersInFlight", helloAck.MaxVouchersInFlight);
                    break;
                case AckFrame ack:
                    writer.WriteString("channelId", ack.ChannelId.ToString());
                    writer.WriteString("outcome", OutcomeName(ack.Outcome));
                    if (ack.RejectCode is { } rejectCode)
                    {
                        WriteCode(writer, "rejectCode", rejectCode);
                    }

                    WriteAmount(writer, "submittedAmount", ack.SubmittedAmount);
                    WriteAmount(writer, "storedAmount", ack.StoredAmount);
                    break;
                case RefundFrame refund:
                    writer.WriteString("channelId", refund.ChannelId.ToString());
                    WriteAmount(writer, "cumulativeAmount", refund.CumulativeAmount);
                    WriteRsv(writer, refund.Signature.Span);
                    break;
                case ReceiptFrame receipt:
                    writer.WriteString("channelId", receipt.ChannelId.ToString());
                    WriteAmount(writer, "cumulativeAmount", receipt.CumulativeAmount);
                    writer.WriteNumber("issuedAt", receipt.IssuedAt);
                    WriteRsv(writer, receipt.Signature.Span);
                    break;
                case ErrorFrame error:
                    WriteCode(writer, "code", error.Code);
                    break;
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a JSON frame; never throws (see <see cref="TryDecode(ReadOnlySpan{byte}, out PayeeFrame?, out VoucherRejectCode)"/>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="frame">The frame, when true.</param>
    /// <param name="error">Why the text was refused, when false; 0 when true.</param>
    public static bool TryDecode(string? json, [NotNullWhen(true)] out PayeeFrame? frame, out VoucherRejectCode error)
    {
        frame = null;
        if (json is null || json.Length > MaxInputLength)
        {
            error = json is null ? VoucherRejectCode.MalformedFrame : VoucherRejectCode.OversizedFrame;
            return false;
        }

        var utf8 = new byte[Encoding.UTF8.GetMaxByteCount(json.Length)];
        if (Utf8.FromUtf16(json, utf8, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            error = VoucherRejectCode.MalformedFrame; // a lone surrogate
            return false;
        }

        return TryDecode(utf8.AsSpan(0, written), out frame, out error);
    }

    /// <summary>
    /// Decodes a JSON frame from UTF-8. Never throws: more than <see cref="MaxInputLength"/> bytes is
    /// <see cref="VoucherRejectCode.OversizedFrame"/>; an amount of 2^96 or more is
    /// <see cref="VoucherRejectCode.ExceedsDeposit"/>; a voucher signature with a v other than 0, 1, 27 or 28, or an s
    /// with its top bit set (which the binary form cannot carry), is <see cref="VoucherRejectCode.MalformedSignature"/>;
    /// anything else wrong (invalid UTF-8 or JSON, nesting, an escape sequence, a missing, unknown, repeated or mistyped member, a
    /// non-canonical amount) is <see cref="VoucherRejectCode.MalformedFrame"/>.
    /// </summary>
    /// <param name="utf8Json">The JSON document.</param>
    /// <param name="frame">The frame, when true.</param>
    /// <param name="error">Why the document was refused, when false; 0 when true.</param>
    public static bool TryDecode(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out PayeeFrame? frame, out VoucherRejectCode error)
    {
        frame = null;
        if (utf8Json.Length > MaxInputLength)
        {
            error = VoucherRejectCode.OversizedFrame;
            return false;
        }

        error = VoucherRejectCode.MalformedFrame;
        if (!Utf8.IsValid(utf8Json))
        {
            return false;
        }

        var fields = new Fields();
        try
        {
            if (!fields.TryRead(utf8Json))
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false; // the reader's only way of saying "not JSON" (including nesting deeper than a frame)
        }

        if (!fields.TryString("type", out var type))
        {
            return false;
        }

        frame = type switch
        {
            "voucher" => ReadVoucher(fields, ref error),
            "hello" => ReadHello(fields),
            "receiptRequest" => ReadReceiptRequest(fields),
            "helloAck" => ReadHelloAck(fields),
            "ack" => ReadAck(fields, ref error),
            "receipt" => ReadReceipt(fields, ref error),
            "refund" => ReadRefund(fields, ref error),
            "error" => ReadError(fields),
            _ => null,
        };

        if (frame is null)
        {
            return false;
        }

        if (!fields.AllRead)
        {
            frame = null;
            error = VoucherRejectCode.MalformedFrame;
            return false;
        }

        error = 0;
        return true;
    }

    private static VoucherFrame? ReadVoucher(Fields fields, ref VoucherRejectCode error)
    {
        if (!fields.TryChannelId("channelId", out var channelId)
            || !TryAmount(fields, "cumulativeAmount", out var amount, ref error)
            || !fields.TryHex("signature", PayeeFrames.RsvSignatureLength, out var signature))
        {
            return null;
        }

        // Normalise v to 27/28 (wallets give either form); refuse what EIP-2098 could not carry.
        if (signature[64] is not (0 or 1 or 27 or 28) || (signature[32] & 0x80) != 0)
        {
            error = VoucherRejectCode.MalformedSignature;
            return null;
        }

        signature[64] = (byte)(27 + (signature[64] % 27));
        return new VoucherFrame(channelId, amount, signature);
    }

    private static HelloFrame? ReadHello(Fields fields) =>
        fields.TryVersion(out var version)
        && fields.TryUInt64("chainId", out var chainId)
        && fields.TryAddress("contract", out var contract)
            ? new HelloFrame(version, chainId, contract)
            : null;

    private static ReceiptRequestFrame? ReadReceiptRequest(Fields fields) =>
        fields.TryChannelId("channelId", out var channelId) ? new ReceiptRequestFrame(channelId) : null;

    private static HelloAckFrame? ReadHelloAck(Fields fields) =>
        fields.TryVersion(out var version)
        && fields.TryAddress("payee", out var payee)
        && fields.TryUInt16("receiptEveryVouchers", out var everyVouchers)
        && fields.TryUInt16("receiptEverySeconds", out var everySeconds)
        && fields.TryUInt16("maxVouchersInFlight", out var inFlight)
            ? new HelloAckFrame(version, payee, everyVouchers, everySeconds, inFlight)
            : null;

    private static AckFrame? ReadAck(Fields fields, ref VoucherRejectCode error)
    {
        if (!fields.TryChannelId("channelId", out var channelId)
            || !fields.TryString("outcome", out var outcomeName)
            || !TryOutcome(outcomeName, out var outcome))
        {
            return null;
        }

        VoucherRejectCode? rejectCode = null;
        if (outcome == AckOutcome.Rejected)
        {
            if (!TryCode(fields, "rejectCode", out var code))
            {
                return null;
            }

            rejectCode = code;
        }

        if (!TryAmount(fields, "submittedAmount", out var submitted, ref error)
            || !TryAmount(fields, "storedAmount", out var stored, ref error))
        {
            return null;
        }

        return new AckFrame(channelId, outcome, rejectCode, submitted, stored);
    }

    private static ReceiptFrame? ReadReceipt(Fields fields, ref VoucherRejectCode error) =>
        fields.TryChannelId("channelId", out var channelId)
        && TryAmount(fields, "cumulativeAmount", out var amount, ref error)
        && fields.TryUInt64("issuedAt", out var issuedAt)
        && fields.TryHex("signature", PayeeFrames.RsvSignatureLength, out var signature)
        && signature[64] is 27 or 28
            ? new ReceiptFrame(channelId, amount, issuedAt, signature)
            : null;

    private static RefundFrame? ReadRefund(Fields fields, ref VoucherRejectCode error) =>
        fields.TryChannelId("channelId", out var channelId)
        && TryAmount(fields, "cumulativeAmount", out var amount, ref error)
        && fields.TryHex("signature", PayeeFrames.RsvSignatureLength, out var signature)
        && signature[64] is 27 or 28
            ? new RefundFrame(channelId, amount, signature)
            : null;

    private static ErrorFrame? ReadError(Fields fields) =>
        TryCode(fields, "code", out var code) ? new ErrorFrame(code) : null;

    private static bool TryAmount(Fields fields, string name, out BigInteger amount, ref VoucherRejectCode error)
    {
        amount = BigInteger.Zero;
        if (!fields.TryString(name, out var text)
            || text.Length == 0
            || text.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0
            || (text.Length > 1 && text[0] == '0'))
        {
            return false; // one amount, one spelling: no sign, no leading zero, no exponent
        }

        if (text.Length > MaxAmountDigits
            || !BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out amount)
            || amount > PayeeFrames.MaxAmount)
        {
            error = VoucherRejectCode.ExceedsDeposit;
            return false;
        }

        return true;
    }

    private static bool TryCode(Fields fields, string name, out VoucherRejectCode code)
    {
        code = 0;
        if (!fields.TryGet(name, out var member))
        {
            return false;
        }

        // A name for the codes this build knows; a number (1-255) for one added by a newer payee.
        if (member.Kind == JsonTokenType.String)
        {
            return CodesByName.TryGetValue(member.Text, out code);
        }

        if (member.Kind == JsonTokenType.Number
            && byte.TryParse(member.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value != 0)
        {
            code = (VoucherRejectCode)value;
            return true;
        }

        return false;
    }

    private static bool TryOutcome(string name, out AckOutcome outcome)
    {
        outcome = name switch
        {
            "accepted" => AckOutcome.Accepted,
            "duplicate" => AckOutcome.Duplicate,
            "rejected" => AckOutcome.Rejected,
            _ => (AckOutcome)byte.MaxValue,
        };
        return outcome <= AckOutcome.Rejected;
    }

    private static string TypeName(PayeeFrameType type) => type switch
    {
        PayeeFrameType.Hello => "hello",
        PayeeFrameType.Voucher => "voucher",
        PayeeFrameType.ReceiptRequest => "receiptRequest",
        PayeeFrameType.HelloAck => "helloAck",
        PayeeFrameType.Ack => "ack",
        PayeeFrameType.Receipt => "receipt",
        PayeeFrameType.Refund => "refund",
        _ => "error",
    };

    private static string OutcomeName(AckOutcome outcome) => outcome switch
    {
        AckOutcome.Accepted => "accepted",
        AckOutcome.Duplicate => "duplicate",
        _ => "rejected",
    };

    private static void WriteCode(Utf8JsonWriter writer, string name, VoucherRejectCode code)
    {
        if (CodeNames.TryGetValue(code, out var codeName))
        {
            writer.WriteString(name, codeName);
        }
        else
        {
            writer.WriteNumber(name, (byte)code);
        }
    }

    private static void WriteAmount(Utf8JsonWriter writer, string name, BigInteger amount) =>
        writer.WriteString(name, amount.ToString(CultureInfo.InvariantCulture));

    private static void WriteRsv(Utf8JsonWriter writer, ReadOnlySpan<byte> rsv)
    {
        // The binary encoder has checked the length and v; write v as 27/28 whichever form the frame holds.
        Span<byte> normalised = stackalloc byte[PayeeFrames.RsvSignatureLength];
        rsv.CopyTo(normalised);
        normalised[64] = (byte)(27 + (rsv[64] % 27));
        writer.WriteString("signature", Hex.Encode(normalised));
    }

    /// <summary>
    /// The members of one flat JSON object, each to be read exactly once. Every name and string of the protocol is
    /// plain ASCII, so an escape sequence is refused rather than unescaped (which would also let a lone surrogate in).
    /// </summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
        private int _read;

        public bool AllRead => _read == _members.Count;

        /// <summary>Reads one object of primitive members; throws <see cref="JsonException"/> on text that is not JSON.</summary>
        public bool TryRead(ReadOnlySpan<byte> utf8Json)
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueIsEscaped)
                {
                    return false;
                }

                var name = Encoding.UTF8.GetString(reader.ValueSpan);
                if (!reader.Read()
                    || reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                    || (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
                    || !_members.TryAdd(name, new Member(reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan))))
                {
                    return false; // a nested value, an escape, or a repeated member (which one counts would depend on the reader)
                }
            }

            // The object has ended; anything after it makes the reader throw.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }

        public bool TryGet(string name, out Member member)
        {
            if (!_members.TryGetValue(name, out member))
            {
                return false;
            }

            _read++;
            return true;
        }

        public bool TryString(string name, [NotNullWhen(true)] out string? text)
        {
            text = TryGet(name, out var member) && member.Kind == JsonTokenType.String ? member.Text : null;
            return text is not null;
        }

        public bool TryUInt64(string name, out ulong value)
        {
            value = 0;
            return TryGet(name, out var member)
                && member.Kind == JsonTokenType.Number
                && ulong.TryParse(member.Text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        public bool TryUInt16(string name, out ushort value)
        {
            value = 0;
            return TryGet(name, out var member)
                && member.Kind == JsonTokenType.Number
                && ushort.TryParse(member.Text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        public bool TryVersion(out byte version)
        {
            version = 0;
            return TryGet("version", out var member)
                && member.Kind == JsonTokenType.Number
                && byte.TryParse(member.Text, NumberStyles.None, CultureInfo.InvariantCulture, out version)
                && version == PayeeFrames.Version;
        }

        public bool TryAddress(string name, out Address address)
        {
            address = default;
            return TryString(name, out var text) && Address.TryParse(text, out address);
        }

        public bool TryChannelId(string name, out ChannelId channelId)
        {
            channelId = default;
            if (!TryHex(name, ChannelId.Length, out var bytes))
            {
                return false;
            }

            channelId = ChannelId.FromBytes(bytes);
            return true;
        }

        public bool TryHex(string name, int length, [NotNullWhen(true)] out byte[]? bytes)
        {
            bytes = null;
            if (!TryString(name, out var text) || text.Length != 2 + (2 * length) || !text.StartsWith("0x", StringComparison.Ordinal))
            {
                return false;
            }

            var decoded = new byte[length];
            if (Convert.FromHexString(text.AsSpan(2), decoded, out _, out var written) != OperationStatus.Done || written != length)
            {
                return false;
            }

            bytes = decoded;
            return true;
        }
    }

    /// <summary>A member's token type and text (a string's characters, a number's digits as written).</summary>
    private readonly record struct Member(JsonTokenType Kind, string Text);
}

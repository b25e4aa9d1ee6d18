using System.Numerics;

namespace Settlement.Channels.Transport;

/// <summary>
/// Limits and sizes of the payee wire format (docs/payee.md, "Wire format"). Every frame is one WebSocket binary
/// message or one HTTP body; byte 0 is the frame type; every integer is big-endian.
/// </summary>
public static class PayeeFrames
{
    /// <summary>The protocol version carried in HELLO and HELLO_ACK.</summary>
    public const byte Version = 1;

    /// <summary>No frame is longer than this; a longer one is refused as <c>OversizedFrame</c> before it is parsed.</summary>
    public const int MaxFrameLength = 128;

    /// <summary>The longest amount in bytes: the contract keeps every amount below 2^96.</summary>
    public const int MaxAmountLength = 12;

    /// <summary>Length of a HELLO: type, version, chain id (u64), contract (20).</summary>
    public const int HelloLength = 1 + 1 + 8 + 20;

    /// <summary>Length of a VOUCHER whose amount is zero: type, channel id, amount length, compact signature (64).</summary>
    public const int VoucherMinLength = 1 + 32 + 1 + CompactSignatureLength;

    /// <summary>Length of a VOUCHER with a 12-byte amount.</summary>
    public const int VoucherMaxLength = VoucherMinLength + MaxAmountLength;

    /// <summary>Length of a RECEIPT_REQUEST: type, channel id.</summary>
    public const int ReceiptRequestLength = 1 + 32;

    /// <summary>Length of a HELLO_ACK: type, version, payee (20), three u16.</summary>
    public const int HelloAckLength = 1 + 1 + 20 + 2 + 2 + 2;

    /// <summary>Length of an ACK whose two amounts are zero: type, channel id, outcome, code, two amount lengths.</summary>
    public const int AckMinLength = 1 + 32 + 1 + 1 + 1 + 1;

    /// <summary>Length of an ACK with two 12-byte amounts.</summary>
    public const int AckMaxLength = AckMinLength + (2 * MaxAmountLength);

    /// <summary>Length of a RECEIPT whose amount is zero: type, channel id, amount length, issued-at (u64), signature (65).</summary>
    public const int ReceiptMinLength = 1 + 32 + 1 + 8 + RsvSignatureLength;

    /// <summary>Length of a RECEIPT with a 12-byte amount.</summary>
    public const int ReceiptMaxLength = ReceiptMinLength + MaxAmountLength;

    /// <summary>Length of a REFUND whose amount is zero: type, channel id, amount length, signature (65).</summary>
    public const int RefundMinLength = 1 + 32 + 1 + RsvSignatureLength;

    /// <summary>Length of a REFUND with a 12-byte amount.</summary>
    public const int RefundMaxLength = RefundMinLength + MaxAmountLength;

    /// <summary>Length of an ERROR: type, code.</summary>
    public const int ErrorLength = 2;

    /// <summary>Length of an EIP-2098 compact signature: r (32) ‖ yParityAndS (32).</summary>
    public const int CompactSignatureLength = 64;

    /// <summary>Length of an r‖s‖v signature.</summary>
    public const int RsvSignatureLength = 65;

    /// <summary>The largest amount a frame carries: 2^96 − 1 (the contract's <c>MAX_AMOUNT</c>).</summary>
    public static BigInteger MaxAmount { get; } = (BigInteger.One << 96) - 1;

    /// <summary>The longest frame of a type, or 0 for a byte that is no frame type.</summary>
    /// <param name="type">The type byte.</param>
    public static int MaxLengthOf(PayeeFrameType type) => type switch
    {
        PayeeFrameType.Hello => HelloLength,
        PayeeFrameType.Voucher => VoucherMaxLength,
        PayeeFrameType.ReceiptRequest => ReceiptRequestLength,
        PayeeFrameType.HelloAck => HelloAckLength,
        PayeeFrameType.Ack => AckMaxLength,
        PayeeFrameType.Receipt => ReceiptMaxLength,
        PayeeFrameType.Refund => RefundMaxLength,
        PayeeFrameType.Error => ErrorLength,
        _ => 0,
    };
}

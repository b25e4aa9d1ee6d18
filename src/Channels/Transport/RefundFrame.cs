using System.Numerics;
using System.Text;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0x85 REFUND</c>, payee → client: a voucher the payee signed in the other direction (payee → payer, paid from the
/// payee's deposit; docs/protocol.md), e.g. for an unused prepaid session. The payer checks and stores it
/// (<c>PayerChannel.AcceptRefundAsync</c>); the frame itself proves nothing until verified.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="CumulativeAmount">The cumulative refund, 0 ≤ amount &lt; 2^96.</param>
/// <param name="Signature">The payee's signature, 65 bytes r‖s‖v with v in {27, 28}. Not copied.</param>
public sealed record RefundFrame(ChannelId ChannelId, BigInteger CumulativeAmount, ReadOnlyMemory<byte> Signature) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Refund;

    /// <summary>The frame of a refund voucher.</summary>
    /// <param name="refund">The payee-signed voucher.</param>
    public static RefundFrame FromSignedVoucher(SignedVoucher refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        return new RefundFrame(refund.Voucher.ChannelId, refund.Voucher.CumulativeAmount, refund.Signature.ToRsv());
    }

    /// <summary>The voucher this frame carries, or null if its signature is not a well-formed r‖s‖v.</summary>
    public SignedVoucher? ToSignedVoucher() =>
        EcdsaSignature.TryParseRsv(Signature.Span, out var signature) ? new SignedVoucher(new Voucher(ChannelId, CumulativeAmount), signature) : null;

    /// <inheritdoc />
    public bool Equals(RefundFrame? other) =>
        other is not null
        && ChannelId == other.ChannelId
        && CumulativeAmount == other.CumulativeAmount
        && Signature.Span.SequenceEqual(other.Signature.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(ChannelId);
        hash.Add(CumulativeAmount);
        hash.AddBytes(Signature.Span);
        return hash.ToHashCode();
    }

    /// <summary>Prints the signature as hex rather than as a memory block.</summary>
    /// <param name="builder">Receives the members.</param>
    protected override bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (base.PrintMembers(builder))
        {
            builder.Append(", ");
        }

        builder.Append("ChannelId = ").Append(ChannelId)
            .Append(", CumulativeAmount = ").Append(CumulativeAmount)
            .Append(", Signature = ").Append(Hex.Encode(Signature.Span));
        return true;
    }
}

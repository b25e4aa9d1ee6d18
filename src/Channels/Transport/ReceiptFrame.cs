using System.Numerics;
using System.Text;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0x84 RECEIPT</c>, payee → client: the payee's signature over EIP-712
/// <c>Receipt(bytes32 channelId,uint256 cumulativeAmount,uint64 issuedAt)</c> in the channel contract's domain: proof
/// that the payee held vouchers up to <see cref="CumulativeAmount"/> at <see cref="IssuedAt"/>.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="CumulativeAmount">The cumulative amount stored, 0 ≤ amount &lt; 2^96.</param>
/// <param name="IssuedAt">Unix seconds when the payee signed.</param>
/// <param name="Signature">The payee's signature, 65 bytes r‖s‖v with v in {27, 28}. Not copied.</param>
public sealed record ReceiptFrame(ChannelId ChannelId, BigInteger CumulativeAmount, ulong IssuedAt, ReadOnlyMemory<byte> Signature)
    : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Receipt;

    /// <inheritdoc />
    public bool Equals(ReceiptFrame? other) =>
        other is not null
        && ChannelId == other.ChannelId
        && CumulativeAmount == other.CumulativeAmount
        && IssuedAt == other.IssuedAt
        && Signature.Span.SequenceEqual(other.Signature.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(ChannelId);
        hash.Add(CumulativeAmount);
        hash.Add(IssuedAt);
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
            .Append(", IssuedAt = ").Append(IssuedAt)
            .Append(", Signature = ").Append(Hex.Encode(Signature.Span));
        return true;
    }
}

using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Transport;

/// <summary><c>0x04 RECEIPT_REQUEST</c>, client → payee: asks for a RECEIPT of the channel's stored amount.</summary>
/// <param name="ChannelId">The channel.</param>
public sealed record ReceiptRequestFrame(ChannelId ChannelId) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.ReceiptRequest;
}

using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport;

/// <summary><c>0x81 HELLO_ACK</c>, payee → client: the answer to HELLO.</summary>
/// <param name="Version">The protocol version; 1 (<see cref="PayeeFrames.Version"/>).</param>
/// <param name="Payee">The payee's address (the signer of RECEIPTs).</param>
/// <param name="ReceiptEveryVouchers">The payee sends a RECEIPT after this many accepted vouchers of a channel.</param>
/// <param name="ReceiptEverySeconds">The payee sends a RECEIPT at least this often while a channel has new vouchers.</param>
/// <param name="MaxVouchersInFlight">The most vouchers a client may send on this connection before their ACKs arrive.</param>
public sealed record HelloAckFrame(
    byte Version,
    Address Payee,
    ushort ReceiptEveryVouchers,
    ushort ReceiptEverySeconds,
    ushort MaxVouchersInFlight) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.HelloAck;
}

namespace Settlement.Channels.Transport;

/// <summary>
/// Byte 0 of every payee frame. Client → payee types are below 0x80, payee → client types have the top bit set.
/// The values are part of the wire format (docs/payee.md): never renumber one, only add.
/// </summary>
public enum PayeeFrameType : byte
{
    /// <summary>Client → payee, first frame of a stream: version, chain id and contract of the connection.</summary>
    Hello = 0x01,

    /// <summary>Client → payee: a signed voucher.</summary>
    Voucher = 0x03,

    /// <summary>Client → payee: asks for a receipt of a channel's stored amount.</summary>
    ReceiptRequest = 0x04,

    /// <summary>Payee → client: answer to HELLO with the payee's address and receipt and flow-control settings.</summary>
    HelloAck = 0x81,

    /// <summary>Payee → client: the outcome of one voucher and the cumulative amount stored.</summary>
    Ack = 0x83,

    /// <summary>Payee → client: a signed receipt of the cumulative amount stored for a channel.</summary>
    Receipt = 0x84,

    /// <summary>Payee → client: a refund voucher the payee signed (payee → payer direction).</summary>
    Refund = 0x85,

    /// <summary>Payee → client: a fault that is not about one voucher.</summary>
    Error = 0xFF,
}

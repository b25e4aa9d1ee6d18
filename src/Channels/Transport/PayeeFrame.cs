namespace Settlement.Channels.Transport;

/// <summary>
/// One message of the payee protocol (docs/payee.md, "Wire format"). Encoded and decoded by
/// <see cref="PayeeFrameCodec"/> (binary) and <see cref="PayeeJsonCodec"/> (JSON, for debugging).
/// </summary>
public abstract record PayeeFrame
{
    /// <summary>The frame type (byte 0 on the wire).</summary>
    public abstract PayeeFrameType Type { get; }
}

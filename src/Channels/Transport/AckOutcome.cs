namespace Settlement.Channels.Transport;

/// <summary>The outcome byte of an ACK. The values are part of the wire format (docs/payee.md).</summary>
public enum AckOutcome : byte
{
    /// <summary>The voucher was stored durably.</summary>
    Accepted = 0,

    /// <summary>The same cumulative amount was already stored: nothing new, the voucher counts as acknowledged.</summary>
    Duplicate = 1,

    /// <summary>The voucher was refused; the ACK's reject code says why.</summary>
    Rejected = 2,
}

namespace Settlement.Channels.Payer.Storage;

/// <summary>Where a payer's channel is in its life (only moves forward).</summary>
public enum PayerChannelStatus : byte
{
    /// <summary>Open: vouchers may be signed.</summary>
    Open = 0,

    /// <summary>A unilateral close started on chain: no more vouchers are signed.</summary>
    Closing = 1,

    /// <summary>Settled on chain (cooperatively or after the challenge period): the channel is gone.</summary>
    Closed = 2,
}

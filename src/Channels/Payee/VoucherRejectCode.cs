namespace Settlement.Channels.Payee;

/// <summary>
/// Why a voucher was refused. The numeric values are part of the wire format (docs/payee.md, "Error codes"):
/// never renumber one, only add.
/// </summary>
public enum VoucherRejectCode : byte
{
    /// <summary>The frame could not be decoded (wrong length, unknown type, bad field).</summary>
    MalformedFrame = 1,

    /// <summary>The frame is longer than the largest frame of its type.</summary>
    OversizedFrame = 2,

    /// <summary>The voucher names another chain id than the one this payee serves.</summary>
    WrongChain = 3,

    /// <summary>The voucher names another channel contract than the one this payee serves.</summary>
    WrongContract = 4,

    /// <summary>No confirmed channel with this id exists in the contract.</summary>
    UnknownChannel = 5,

    /// <summary>A unilateral close has started: no more credit is extended.</summary>
    ChannelClosing = 6,

    /// <summary>The channel was settled on chain.</summary>
    ChannelSettled = 7,

    /// <summary>The close deadline is nearer than the configured safety margin.</summary>
    DeadlineTooNear = 8,

    /// <summary>r or s is zero or not below the curve order, or v is not a recovery id.</summary>
    MalformedSignature = 9,

    /// <summary>s is in the upper half of the curve order (malleable form, EIP-2): the contract would refuse it.</summary>
    HighS = 10,

    /// <summary>The signature does not recover to the channel's payer (forged, or signed for another domain).</summary>
    WrongSigner = 11,

    /// <summary>The cumulative amount is below the newest accepted one (an old voucher).</summary>
    Stale = 12,

    /// <summary>The cumulative amount adds nothing: not above what was already redeemed on chain.</summary>
    ZeroIncrement = 13,

    /// <summary>The cumulative amount is above the channel's confirmed deposit.</summary>
    ExceedsDeposit = 14,

    /// <summary>A velocity rule (payments per second, value per minute) refused the voucher.</summary>
    VelocityLimit = 15,

    /// <summary>The payee is shutting down or overloaded; retry the same voucher later.</summary>
    Unavailable = 16,

    /// <summary>
    /// The payee signed a close agreement that is still live (its deadline plus the skew margin has not passed): it
    /// accepts no voucher above the agreed amount until the agreement expires (docs/protocol.md, "the client rule").
    /// </summary>
    CloseAgreed = 17,
}

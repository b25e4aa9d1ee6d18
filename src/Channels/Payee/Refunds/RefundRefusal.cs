namespace Settlement.Channels.Payee.Refunds;

/// <summary>Why the payee signed no refund.</summary>
public enum RefundRefusal
{
    /// <summary>The channel is on another chain or contract, or no confirmed channel with this id exists.</summary>
    UnknownChannel = 1,

    /// <summary>
    /// The channel is closing or settled: a refund is issued only while it is open (a closing channel's vouchers must be
    /// redeemed before its deadline, which a refund signed now may miss).
    /// </summary>
    NotOpen = 2,

    /// <summary>The amount is zero or negative.</summary>
    Zero = 3,

    /// <summary>The new cumulative refund would exceed the payee's confirmed deposit: the contract would refuse it (<c>AmountExceedsDeposit</c>).</summary>
    ExceedsPayeeDeposit = 4,

    /// <summary>This engine holds no payee key, or not the key of the channel's payee.</summary>
    NotPayee = 5,

    /// <summary>A live close agreement fixes the payee → payer total; refund after it expired (or close with it).</summary>
    CloseAgreed = 6,

    /// <summary>The idempotency key was used for this channel with another amount.</summary>
    IdempotencyConflict = 7,

    /// <summary>The idempotency key is empty, too long or not printable ASCII.</summary>
    BadIdempotencyKey = 8,

    /// <summary>Another instance issued a refund of the channel at the same moment: ask again.</summary>
    Conflict = 9,

    /// <summary>The payee is shutting down.</summary>
    Unavailable = 10,
}

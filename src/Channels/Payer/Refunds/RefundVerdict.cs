namespace Settlement.Channels.Payer.Refunds;

/// <summary>What the payer did with a refund voucher (payee → payer).</summary>
public enum RefundVerdict
{
    /// <summary>Verified and stored as the newest refund.</summary>
    Accepted = 0,

    /// <summary>The same amount is already stored: nothing changed.</summary>
    Duplicate = 1,

    /// <summary>The voucher is for another channel.</summary>
    WrongChannel = 2,

    /// <summary>The signature does not recover to the channel's payee in this contract's domain.</summary>
    WrongSigner = 3,

    /// <summary>A higher refund is already stored (an old voucher).</summary>
    Stale = 4,

    /// <summary>Above the payee's deposit as last read from the chain: the contract would refuse it.</summary>
    ExceedsPayeeDeposit = 5,

    /// <summary>The amount is zero.</summary>
    Zero = 6,
}

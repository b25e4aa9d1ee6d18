namespace Settlement.Channels.Payer.Receipts;

/// <summary>What the payer did with a receipt or acknowledgement that reached it.</summary>
public enum ReceiptVerdict
{
    /// <summary>Verified and kept.</summary>
    Stored = 0,

    /// <summary>Not above what is already held: kept nothing new.</summary>
    NotNewer = 1,

    /// <summary>For another channel.</summary>
    WrongChannel = 2,

    /// <summary>The receipt's signature does not recover to the payee's receipt signer.</summary>
    WrongSigner = 3,

    /// <summary>It claims more than the payer ever signed: not evidence of anything the payer owes.</summary>
    AboveSigned = 4,
}

namespace Settlement.Channels.Watchtower;

/// <summary>Why a delegation or voucher update was refused (the held state is unchanged).</summary>
public enum DelegationRefusal
{
    /// <summary>The request names another chain than the one guarded.</summary>
    WrongChain = 1,

    /// <summary>The request names another contract than the one guarded.</summary>
    WrongContract = 2,

    /// <summary>The voucher's channel id is not the id of the given channel parameters.</summary>
    ChannelMismatch = 3,

    /// <summary>The signature is not 65 bytes r‖s‖v with r, s in range and v in {0, 1, 27, 28}.</summary>
    MalformedSignature = 4,

    /// <summary>The signature's s is above n/2 (the contract refuses it).</summary>
    HighS = 5,

    /// <summary>The voucher was not signed by the channel's payer.</summary>
    WrongSigner = 6,

    /// <summary>The amount is not above the voucher already held.</summary>
    NotNewer = 7,

    /// <summary>The amount is not above what the chain has already paid the payee.</summary>
    AlreadyRedeemed = 8,

    /// <summary>The amount is above the payer's deposit on chain.</summary>
    ExceedsDeposit = 9,

    /// <summary>The channel does not exist on chain (never opened, or settled).</summary>
    UnknownChannel = 10,

    /// <summary>The channel is closing and its challenge window is already over.</summary>
    ChallengePeriodOver = 11,
}

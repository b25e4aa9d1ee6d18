namespace Settlement.OpenBanking.Vrp;

/// <summary>A VRP consent's status (v4.0 codes AWAU, AUTH, RJCT, CANC, EXPD).</summary>
public enum VrpConsentStatus
{
    /// <summary>A code this client does not know.</summary>
    Unknown,

    /// <summary>AWAU.</summary>
    AwaitingAuthorisation,

    /// <summary>AUTH: payments may be made.</summary>
    Authorised,

    /// <summary>RJCT.</summary>
    Rejected,

    /// <summary>CANC: revoked (by the TPP's DELETE or the customer at the bank).</summary>
    Revoked,

    /// <summary>EXPD: past ValidToDateTime.</summary>
    Expired,
}

namespace Settlement.OpenBanking.Pis;

/// <summary>Version-independent consent state (v3.1.11 long names, v4.0 AWAU/AUTH/COND/RJCT).</summary>
public enum ConsentStatusKind
{
    /// <summary>A code this connector does not know; kept verbatim in <see cref="ConsentStatus.Code"/>.</summary>
    Unknown,

    /// <summary>AwaitingAuthorisation / AWAU.</summary>
    AwaitingAuthorisation,

    /// <summary>Authorised / AUTH.</summary>
    Authorised,

    /// <summary>Consumed / COND: a payment has been made with it.</summary>
    Consumed,

    /// <summary>Rejected / RJCT.</summary>
    Rejected,
}

namespace Settlement.Service.Flows;

/// <summary>Why the bank refused a sweeping payment (the problem code of the flow is <c>sweep-</c> + the kebab-case name).</summary>
public enum BankSweepRefusal
{
    /// <summary>The consent is not known to the bank.</summary>
    ConsentUnknown = 1,

    /// <summary>The consent is not (or no longer) authorised by the user.</summary>
    ConsentNotAuthorised,

    /// <summary>The user (or the bank) revoked the consent.</summary>
    ConsentRevoked,

    /// <summary>The consent is past its <c>ValidToDateTime</c> (or not yet valid).</summary>
    ConsentExpired,

    /// <summary>Above the consent's <c>MaximumIndividualAmount</c>.</summary>
    PerPaymentLimit,

    /// <summary>Above what is left of a <c>PeriodicLimits</c> entry for the current period.</summary>
    PeriodLimit,

    /// <summary>The user's account cannot cover it.</summary>
    InsufficientFunds,

    /// <summary>Another reason (see the detail).</summary>
    Other,
}

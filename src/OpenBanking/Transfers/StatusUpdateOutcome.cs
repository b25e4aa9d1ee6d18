namespace Settlement.OpenBanking.Transfers;

/// <summary>What happened to a reported payment status.</summary>
public enum StatusUpdateOutcome
{
    /// <summary>The status moved the payment forward and was recorded.</summary>
    Applied,

    /// <summary>Same status as already recorded (duplicate delivery); nothing changed.</summary>
    Duplicate,

    /// <summary>An earlier stage than already recorded (out-of-order delivery); ignored.</summary>
    Stale,

    /// <summary>A jump the lifecycle does not allow (e.g. rejected after settled); refused, logged and audited, state unchanged.</summary>
    Impossible,

    /// <summary>A status code the connector does not know; kept and reported, state unchanged.</summary>
    Unrecognised,
}

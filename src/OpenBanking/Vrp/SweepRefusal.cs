namespace Settlement.OpenBanking.Vrp;

/// <summary>Why a sweep was refused (nothing was paid).</summary>
public enum SweepRefusal
{
    /// <summary>No consent with that id is known here.</summary>
    ConsentUnknown,

    /// <summary>The consent is not authorised (awaiting authorisation, rejected).</summary>
    ConsentNotAuthorised,

    /// <summary>The consent was revoked (CANC).</summary>
    ConsentRevoked,

    /// <summary>The consent is past ValidToDateTime (EXPD), or before ValidFromDateTime.</summary>
    ConsentOutsideValidity,

    /// <summary>The amount exceeds MaximumIndividualAmount.</summary>
    ExceedsMaximumIndividualAmount,

    /// <summary>The amount with what was already swept this period exceeds a periodic limit.</summary>
    ExceedsPeriodicLimit,

    /// <summary>The operation id was already used for another consent or amount.</summary>
    OperationIdReused,

    /// <summary>The bank refused the payment (its error codes are in <see cref="SweepStatus.BankErrorCodes"/>).</summary>
    BankRefused,
}

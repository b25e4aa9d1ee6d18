namespace Settlement.OpenBanking.Transfers;

/// <summary>What <see cref="TransferService.CreateAsync"/> did.</summary>
public enum TransferCreationOutcome
{
    /// <summary>A new transfer was recorded (state <c>Created</c>); nothing was sent to the bank.</summary>
    Created,

    /// <summary>The operation id already names this same request: that transfer is returned.</summary>
    Existing,

    /// <summary>The operation id already names a different request: refused, nothing changed.</summary>
    Conflict,
}

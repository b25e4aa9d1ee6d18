namespace Settlement.Service.Ledger;

/// <summary>What a journal row records.</summary>
public enum JournalKind : byte
{
    /// <summary>An account was created.</summary>
    AccountCreated = 1,

    /// <summary>A transfer was applied (single-phase, pending, post or void).</summary>
    TransferCreated = 2,

    /// <summary>A pending transfer's timeout passed and its reservation was released.</summary>
    PendingExpired = 3,
}

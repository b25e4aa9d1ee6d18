namespace Settlement.Service.Ledger;

/// <summary>
/// A transfer as the ledger applied it: a post/void holds the pending transfer's accounts, ledger and code and the
/// amount actually posted (or released).
/// </summary>
public sealed record StoredTransfer(Transfer Transfer, DateTimeOffset CreatedAt)
{
    /// <summary>When a pending transfer with a timeout expires; null if it never does (or is not pending).</summary>
    public DateTimeOffset? ExpiresAt =>
        Transfer.Flags.HasFlag(TransferFlags.Pending) && Transfer.Timeout > 0 ? CreatedAt.AddSeconds(Transfer.Timeout) : null;
}

namespace Settlement.Service.Ledger;

/// <summary>
/// One row of the append-only journal: every change to the ledger, in order. Fields an entry kind does not use are 0.
/// For <see cref="JournalKind.PendingExpired"/>, <see cref="Id"/> and <see cref="PendingId"/> are the pending transfer's id
/// and <see cref="Amount"/> is the amount released.
/// </summary>
internal readonly record struct JournalEntry(
    long Seq,
    JournalKind Kind,
    UInt128 Id,
    UInt128 DebitAccountId,
    UInt128 CreditAccountId,
    UInt128 Amount,
    UInt128 PendingId,
    UInt128 UserData,
    uint Ledger,
    ushort Code,
    ushort Flags,
    uint Timeout,
    long CreatedAtTicks)
{
    public static JournalEntry ForAccount(Account account, long ticks) =>
        new(0, JournalKind.AccountCreated, account.Id, 0, 0, 0, 0, account.UserData, account.Ledger, account.Code, (ushort)account.Flags, 0, ticks);

    public static JournalEntry ForTransfer(Transfer t, long ticks) =>
        new(0, JournalKind.TransferCreated, t.Id, t.DebitAccountId, t.CreditAccountId, t.Amount, t.PendingId, t.UserData, t.Ledger, t.Code, (ushort)t.Flags, t.Timeout, ticks);

    public static JournalEntry ForExpiry(Transfer pending, long ticks) =>
        new(0, JournalKind.PendingExpired, pending.Id, pending.DebitAccountId, pending.CreditAccountId, pending.Amount, pending.Id, 0, pending.Ledger, pending.Code, 0, 0, ticks);

    public DateTimeOffset CreatedAt => new(CreatedAtTicks, TimeSpan.Zero);

    public Account ToAccount() => new(Id, Ledger, Code, (AccountFlags)Flags, UserData);

    public StoredTransfer ToStoredTransfer() =>
        new(new Transfer(Id, DebitAccountId, CreditAccountId, Amount, Ledger, Code, (TransferFlags)Flags, PendingId, Timeout, UserData), CreatedAt);
}

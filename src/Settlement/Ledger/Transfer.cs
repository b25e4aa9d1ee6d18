namespace Settlement.Service.Ledger;

/// <summary>
/// A transfer to create: <paramref name="Amount"/> moves from <paramref name="DebitAccountId"/> to
/// <paramref name="CreditAccountId"/> on one ledger. Amounts are unsigned 128-bit integers in the ledger's base unit
/// (pence for GBP, token base units, wei): never fractions.
/// </summary>
/// <param name="Id">Client-chosen 128-bit id, neither 0 nor <see cref="UInt128.MaxValue"/>; a repeat is idempotent.</param>
/// <param name="DebitAccountId">The account debited. For a post/void: 0 (take the pending transfer's) or the same.</param>
/// <param name="CreditAccountId">The account credited. For a post/void: 0 or the pending transfer's.</param>
/// <param name="Amount">Not zero. For a post: 0 = all of the pending amount, or less (the rest is released). For a void: 0 or the pending amount.</param>
/// <param name="PendingId">For <see cref="TransferFlags.PostPending"/> / <see cref="TransferFlags.VoidPending"/> only: the pending transfer's id.</param>
/// <param name="Ledger">The asset; must be the accounts' ledger (0 on a post/void = the pending transfer's).</param>
/// <param name="Code">Why the money moved (e.g. top-up, payout, fee); not zero (0 on a post/void = the pending transfer's).</param>
/// <param name="Flags">Linking and the two-phase flags.</param>
/// <param name="Timeout">Pending transfers only: seconds after creation at which the reservation expires (0 = never).</param>
/// <param name="UserData">Opaque to the ledger (e.g. a bank payment id, a chain event's hash).</param>
public sealed record Transfer(
    UInt128 Id,
    UInt128 DebitAccountId,
    UInt128 CreditAccountId,
    UInt128 Amount,
    uint Ledger,
    ushort Code,
    TransferFlags Flags = TransferFlags.None,
    UInt128 PendingId = default,
    uint Timeout = 0,
    UInt128 UserData = default);

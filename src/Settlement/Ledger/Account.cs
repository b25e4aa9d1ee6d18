namespace Settlement.Service.Ledger;

/// <summary>
/// An account to create. Immutable once created; its balances live in <see cref="AccountBalances"/>.
/// </summary>
/// <param name="Id">Client-chosen 128-bit id, neither 0 nor <see cref="UInt128.MaxValue"/>; a repeat is idempotent.</param>
/// <param name="Ledger">The asset (<see cref="LedgerAssets"/>): only accounts of one ledger transfer to each other.</param>
/// <param name="Code">What the account is for (<see cref="AccountCode"/>); not zero.</param>
/// <param name="Flags">Limits and linking.</param>
/// <param name="UserData">Opaque to the ledger (e.g. the user's or channel's id).</param>
public sealed record Account(UInt128 Id, uint Ledger, ushort Code, AccountFlags Flags = AccountFlags.None, UInt128 UserData = default);

namespace Settlement.Channels.Payee;

/// <summary>
/// What the payee did with a voucher: <see cref="VoucherAccepted"/>, <see cref="VoucherDuplicate"/> or
/// <see cref="VoucherRejected"/>. Untrusted input never throws; only infrastructure faults (the store is down) do.
/// </summary>
public abstract record VoucherOutcome;

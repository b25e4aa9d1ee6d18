using System.Numerics;

namespace Settlement.Channels.Payee.Storage;

/// <summary>The result of one conditional write.</summary>
/// <param name="Applied">True if this voucher is now the stored newest.</param>
/// <param name="Previous">The cumulative amount stored before (0 if none).</param>
/// <param name="Stored">The cumulative amount stored after (this voucher's if applied, else the higher one kept).</param>
public readonly record struct VoucherWriteResult(bool Applied, BigInteger Previous, BigInteger Stored);

using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer.Storage;

/// <summary>
/// One monotone update of a channel's voucher state: a newer signed voucher, a higher acknowledged amount, or both.
/// A store applies each part only if it raises what is stored (an older write arriving late changes nothing).
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="Signed">A voucher the payer signed, or null.</param>
/// <param name="Acknowledged">An amount the payee acknowledged, or null.</param>
public sealed record PayerVoucherWrite(ChannelKey Key, SignedVoucher? Signed, BigInteger? Acknowledged);

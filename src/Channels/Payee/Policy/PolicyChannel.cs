using System.Numerics;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Payee.Policy;

/// <summary>One channel the payee holds, as the planner sees it: its on-chain view and the newest voucher stored.</summary>
/// <param name="View">The channel's state read from the chain.</param>
/// <param name="Newest">The newest payer voucher the payee stored, or null.</param>
public sealed record PolicyChannel(PayeeChannelView View, StoredVoucher? Newest)
{
    /// <summary>What redeeming the newest voucher would pay now (0 if nothing new).</summary>
    public BigInteger Unredeemed => Newest is { } v && v.Cumulative > View.RedeemedByPayee ? v.Cumulative - View.RedeemedByPayee : BigInteger.Zero;

    /// <summary>The payer's deposit not yet spent by the newest voucher or a redeem.</summary>
    public BigInteger RemainingCredit =>
        BigInteger.Max(BigInteger.Zero, View.PayerDeposit - BigInteger.Max(Newest?.Cumulative ?? BigInteger.Zero, View.RedeemedByPayee));
}

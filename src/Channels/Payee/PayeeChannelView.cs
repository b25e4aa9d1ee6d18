using System.Numerics;
using Settlement.Channels.Contracts;

namespace Settlement.Channels.Payee;

/// <summary>
/// The payee's view of a channel, built only from confirmed chain state and events: parameters, both sides'
/// deposits and redeemed totals, the close deadline (0 while open) and whether it was settled.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="Parameters">Payer, payee, token, challenge period, nonce.</param>
/// <param name="PayerDeposit">Total deposited on the payer side (amounts received).</param>
/// <param name="RedeemedByPayee">Cumulative payer → payee amount already paid out on chain.</param>
/// <param name="PayeeDeposit">Total deposited on the payee side.</param>
/// <param name="RedeemedByPayer">Cumulative payee → payer amount already paid out on chain.</param>
/// <param name="CloseDeadline">Unix seconds until which vouchers may be redeemed; 0 while open.</param>
/// <param name="Settled">True once the channel was settled (it no longer exists on chain).</param>
public sealed record PayeeChannelView(
    ChannelKey Key,
    ChannelParameters Parameters,
    BigInteger PayerDeposit,
    BigInteger RedeemedByPayee,
    BigInteger PayeeDeposit,
    BigInteger RedeemedByPayer,
    ulong CloseDeadline,
    bool Settled)
{
    /// <summary>True once a unilateral close has started.</summary>
    public bool IsClosing => CloseDeadline != 0;
}

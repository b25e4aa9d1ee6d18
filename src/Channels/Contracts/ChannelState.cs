using System.Numerics;

namespace Settlement.Channels.Contracts;

/// <summary>
/// A channel's on-chain state (<c>channelState(channelId)</c>); all zero once settled or if it never existed.
/// </summary>
/// <param name="Exists">Open or closing.</param>
/// <param name="PayerDeposit">Credited deposit of the payer side (amount actually received).</param>
/// <param name="RedeemedByPayee">Cumulative payer → payee amount already paid out.</param>
/// <param name="PayeeDeposit">Credited deposit of the payee side.</param>
/// <param name="RedeemedByPayer">Cumulative payee → payer amount already paid out.</param>
/// <param name="CloseDeadline">Unix time until which vouchers may still be redeemed; 0 while open.</param>
public sealed record ChannelState(
    bool Exists,
    BigInteger PayerDeposit,
    BigInteger RedeemedByPayee,
    BigInteger PayeeDeposit,
    BigInteger RedeemedByPayer,
    ulong CloseDeadline)
{
    /// <summary>True once a unilateral close has started.</summary>
    public bool IsClosing => CloseDeadline != 0;
}

namespace Settlement.Service.Flows;

/// <summary>
/// One confirmed <c>ChannelSettled</c> as the business sees it, from the indexer's bookings (tGBP base units): what was
/// deposited into the channel, what left it earlier (redemptions), and how the settlement split the rest.
/// </summary>
/// <param name="ChannelId">The channel (0x hex).</param>
/// <param name="TransactionHash">The settling transaction.</param>
/// <param name="BlockNumber">Its block.</param>
/// <param name="Deposit">Everything funded into the channel (open + top-ups).</param>
/// <param name="EarlierWithdrawals">What redemptions took out of the channel before the settlement.</param>
/// <param name="PayeePayout">What the settlement paid the payee.</param>
/// <param name="PayerRefund">What the settlement refunded the payer.</param>
public sealed record ChannelSettlementRecord(
    string ChannelId, string TransactionHash, ulong BlockNumber, UInt128 Deposit, UInt128 EarlierWithdrawals, UInt128 PayeePayout, UInt128 PayerRefund)
{
    /// <summary>
    /// The invariant: payee payout + payer refund = deposit − earlier withdrawals (the channel's escrow ends at zero).
    /// False is a reconciliation finding.
    /// </summary>
    public bool Balanced => Deposit >= EarlierWithdrawals && PayeePayout + PayerRefund == Deposit - EarlierWithdrawals;
}

using Settlement.OpenBanking.Pis;

namespace Settlement.Service.Flows;

/// <summary>What one payout of a batch pays: fixed when the flow is created.</summary>
/// <param name="BatchId">The batch (<see cref="FlowIds.PayoutBatch"/>).</param>
/// <param name="MerchantId">The merchant (the key of <see cref="SettlementAccounts.MerchantPayable"/>).</param>
/// <param name="MerchantAddress">The merchant's chain address whose tGBP is burned (0x hex).</param>
/// <param name="Bank">The configured bank the platform pays from.</param>
/// <param name="Account">The merchant's bank account.</param>
/// <param name="AmountPence">The whole pence burned (&gt; 0).</param>
/// <param name="FeePence">The fee kept (0 ≤ fee &lt; amount).</param>
public sealed record PayoutOrder(Guid BatchId, string MerchantId, string MerchantAddress, string Bank, AccountIdentification Account, long AmountPence, long FeePence)
{
    /// <summary>What reaches the merchant's bank: amount − fee.</summary>
    public long NetPence => AmountPence - FeePence;
}

namespace Settlement.Service.Flows;

/// <summary>A merchant's tGBP balance that a payout batch pays out, in token base units.</summary>
public interface IMerchantBalances
{
    /// <summary>The balance of <paramref name="merchant"/>'s chain address, in base units.</summary>
    Task<UInt128> GetBalanceAsync(PayoutMerchant merchant, CancellationToken cancellationToken);
}

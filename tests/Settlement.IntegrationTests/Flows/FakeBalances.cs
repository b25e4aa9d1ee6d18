using System.Collections.Concurrent;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>Merchants' tGBP balances set by the test (base units).</summary>
internal sealed class FakeBalances : IMerchantBalances
{
    public ConcurrentDictionary<string, UInt128> Units { get; } = new(StringComparer.Ordinal);

    public Task<UInt128> GetBalanceAsync(PayoutMerchant merchant, CancellationToken cancellationToken) =>
        Task.FromResult(Units.GetValueOrDefault(merchant.Id!));
}

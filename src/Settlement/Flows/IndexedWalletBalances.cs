using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>
/// <see cref="IMerchantBalances"/> from the chain indexer's mirror of the merchant's wallet
/// (<see cref="ChainAccounts.Wallet"/>): posted credits − posted debits, only what the indexer confirmed.
/// </summary>
public sealed class IndexedWalletBalances : IMerchantBalances
{
    private readonly ILedgerStore _ledger;
    private readonly ulong _chainId;
    private readonly uint _tokenLedger;

    /// <summary>Balances from <paramref name="ledger"/> for chain <paramref name="chainId"/> and the token ledger <paramref name="tokenLedger"/>.</summary>
    public IndexedWalletBalances(ILedgerStore ledger, ulong chainId, uint tokenLedger = LedgerAssets.Tgbp)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
        _chainId = chainId;
        _tokenLedger = tokenLedger;
    }

    /// <inheritdoc />
    public async Task<UInt128> GetBalanceAsync(PayoutMerchant merchant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merchant);
        ArgumentException.ThrowIfNullOrEmpty(merchant.Address);
        var wallet = ChainAccounts.Wallet(_chainId, _tokenLedger, merchant.Address.ToLowerInvariant());
        var found = await _ledger.LookupAccountsAsync([wallet.Id], cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return UInt128.Zero;
        }

        var b = found[0];
        return b.CreditsPosted > b.DebitsPosted ? b.CreditsPosted - b.DebitsPosted : UInt128.Zero;
    }
}

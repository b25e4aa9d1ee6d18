using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>DI registration of <see cref="SettlementReconciliation"/>.</summary>
public static class SettlementReconciliationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SettlementReconciliation"/> over the registered ledger, flow and indexer stores (
    /// <c>AddSqliteLedgerStore</c> / <c>AddPostgreSqlLedgerStore</c>), with <paramref name="configure"/>'s options
    /// (validated at start: the stream is required). The bank side defaults to the open-banking
    /// <see cref="TransferService"/> (<c>AddOpenBanking</c>); register another <see cref="IBankOperationSource"/>
    /// first (e.g. <see cref="TransferDatabaseBankOperations"/>) to replace it.
    /// </summary>
    public static IServiceCollection AddSettlementReconciliation(this IServiceCollection services, Action<SettlementReconciliationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SettlementReconciliationOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IBankOperationSource>(sp => new TransferServiceBankOperations(sp.GetRequiredService<TransferService>()));
        services.TryAddSingleton(sp => new SettlementReconciliation(
            sp.GetRequiredService<ILedgerStore>(),
            sp.GetRequiredService<IFlowStore>(),
            sp.GetRequiredService<IChainIndexStore>(),
            sp.GetRequiredService<IBankOperationSource>(),
            sp.GetRequiredService<IOptions<SettlementReconciliationOptions>>().Value));
        return services;
    }
}

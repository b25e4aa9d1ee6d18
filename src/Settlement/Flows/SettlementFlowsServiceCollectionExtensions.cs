using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>Registers the settlement flows, their resume worker and the payout scheduler.</summary>
public static class SettlementFlowsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SettlementFlows"/> with <see cref="SettlementFlowOptions"/> bound from <paramref name="flowsSection"/>
    /// and <see cref="PayoutOptions"/> from <paramref name="payoutsSection"/>, validated at start, plus the hosted resume
    /// worker and payout scheduler. Needs: a ledger store that is also the <see cref="IChainIndexStore"/> and the
    /// <see cref="IFlowStore"/> (<c>AddSqliteLedgerStore</c>), an <see cref="IChainActions"/> (the integrator's chain
    /// implementation), and either an <see cref="IBankPayments"/> or the open-banking <see cref="TransferService"/>
    /// (<c>AddOpenBanking</c>). <see cref="IChainConfirmations"/> and <see cref="IMerchantBalances"/> default to the
    /// indexer's (replace them by registering your own first). Recharges run when an <see cref="IBankSweeps"/> and an
    /// <see cref="ISweepingConsentStore"/> are registered (the ledger stores register the latter).
    /// </summary>
    public static IServiceCollection AddSettlementFlows(
        this IServiceCollection services, string flowsSection = SettlementFlowOptions.SectionName, string payoutsSection = PayoutOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SettlementFlowOptions>().BindConfiguration(flowsSection).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PayoutOptions>().BindConfiguration(payoutsSection).ValidateDataAnnotations().ValidateOnStart();
        return services.AddSettlementFlowsCore();
    }

    /// <summary>Adds the flows with options from <paramref name="configureFlows"/> and <paramref name="configurePayouts"/>, validated at start.</summary>
    public static IServiceCollection AddSettlementFlows(
        this IServiceCollection services, Action<SettlementFlowOptions> configureFlows, Action<PayoutOptions> configurePayouts)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureFlows);
        ArgumentNullException.ThrowIfNull(configurePayouts);
        services.AddOptions<SettlementFlowOptions>().Configure(configureFlows).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PayoutOptions>().Configure(configurePayouts).ValidateDataAnnotations().ValidateOnStart();
        return services.AddSettlementFlowsCore();
    }

    private static IServiceCollection AddSettlementFlowsCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBankPayments>(sp => new BankPaymentsOverTransferService(sp.GetRequiredService<TransferService>()));
        services.TryAddSingleton<IChainConfirmations>(sp => new IndexerChainConfirmations(
            sp.GetRequiredService<IChainIndexStore>(), sp.GetRequiredService<IOptions<SettlementFlowOptions>>().Value.IndexerStream!));
        services.TryAddSingleton<IMerchantBalances>(sp =>
        {
            var payouts = sp.GetRequiredService<IOptions<PayoutOptions>>().Value;
            return new IndexedWalletBalances(sp.GetRequiredService<ILedgerStore>(), payouts.ChainId, payouts.TokenLedger);
        });
        services.TryAddSingleton(sp => new ChannelSettlements(
            sp.GetRequiredService<IChainIndexStore>(), sp.GetRequiredService<ILedgerStore>(), sp.GetRequiredService<IOptions<SettlementFlowOptions>>().Value.IndexerStream!));
        services.TryAddSingleton(sp => new SettlementFlows(
            sp.GetRequiredService<IFlowStore>(),
            sp.GetRequiredService<ILedgerStore>(),
            sp.GetRequiredService<IBankPayments>(),
            sp.GetRequiredService<IChainActions>(),
            sp.GetRequiredService<IChainConfirmations>(),
            sp.GetRequiredService<IMerchantBalances>(),
            sp.GetRequiredService<IOptions<PayoutOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<SettlementFlows>>(),
            sweeps: sp.GetService<IBankSweeps>(),
            consents: sp.GetService<ISweepingConsentStore>()));
        services.AddHostedService<FlowResumeWorker>();
        services.AddHostedService<PayoutScheduler>();
        return services;
    }
}

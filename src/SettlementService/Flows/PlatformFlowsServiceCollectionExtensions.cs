using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;
using Settlement.Service.Flows.Chain;
using Settlement.Service.Reconciliation.Sources;
using Settlement.Service.Storage.Sqlite.Flows;

namespace Settlement.SettlementService.Flows;

/// <summary>Wires the settlement flows into the settlement service (the hook of <see cref="SettlementServiceHost.StartAsync"/>).</summary>
public static class PlatformFlowsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the platform's chain steps (<see cref="PlatformChainActions"/> over the service's chain connection and
    /// deployment, signed by <paramref name="platformKey"/>, each transaction stored in the chain outbox before it is
    /// sent), confirmations from the service's own indexer stream, the flows with their resume worker and payout
    /// scheduler (<c>AddSettlementFlows</c>), and the reconciliation of bank, ledger and chain over the same stores
    /// (<c>AddSettlementReconciliation</c>). Needs the chain settings and an open-banking configuration in
    /// <paramref name="service"/>. The caller keeps <paramref name="platformKey"/> alive until the host has stopped.
    /// </summary>
    /// <exception cref="ArgumentException">The service runs no indexer or no bank connector, or an option is invalid.</exception>
    public static IServiceCollection AddPlatformFlows(
        this IServiceCollection services,
        SettlementServiceOptions service,
        PrivateKey platformKey,
        PlatformFlowsOptions flows,
        Action<PayoutOptions> configurePayouts)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(platformKey);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(configurePayouts);
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(flows, new ValidationContext(flows), problems, validateAllProperties: true))
        {
            throw new ArgumentException("Settlement:Flows: " + string.Join("; ", problems.Select(p => p.ErrorMessage)), nameof(flows));
        }

        if (!service.IndexerEnabled || service.RpcUrl is null || service.Contract is null || service.Token is null)
        {
            throw new ArgumentException("The flows need the chain indexer: set Settlement:Service:RpcUrl, ChainId, Contract and Token, with the indexer enabled.", nameof(service));
        }

        if (service.OpenBankingConfigPath is null)
        {
            throw new ArgumentException("The flows pay and collect through open banking: set Settlement:Service:OpenBankingConfigPath.", nameof(service));
        }

        var outboxPath = flows.ChainOutboxPath ?? (service.IsPostgreSql
            ? throw new ArgumentException("With a PostgreSQL ledger the chain outbox needs its own SQLite file: set ChainOutboxPath.", nameof(flows))
            : service.Database);
        var contract = Address.Parse(service.Contract);
        var token = Address.Parse(service.Token);
        var stream = service.ToIndexerOptions().StreamName;

        services.AddSingleton<IChainOutbox>(new SqliteChainOutbox(outboxPath));
        services.AddSingleton<IChainActions>(sp =>
        {
            var rpc = sp.GetRequiredService<EthereumRpcClient>();
            var sender = new TransactionSender(
                rpc,
                new NonceManager(rpc, sp.GetService<ILogger<NonceManager>>()),
                new TransactionSenderOptions { ReceiptPollInterval = flows.ReceiptPollInterval },
                sp.GetService<ILogger<TransactionSender>>());
            return new PlatformChainActions(
                new ChannelContract(rpc, contract),
                new StablecoinContract(rpc, token),
                sender,
                platformKey,
                sp.GetRequiredService<IChainOutbox>(),
                service.ChainId,
                flows.ChallengePeriodSeconds,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILogger<PlatformChainActions>>());
        });

        // Recharges: the flows' sweeps over the connector's sweeping VRP (AddVrpSweeps, with AddOpenBanking).
        services.TryAddSingleton<IBankSweeps>(sp => new BankSweepsOverVrp(sp.GetRequiredService<IVrpSweeps>()));
        services.TryAddSingleton<IBankOperationSource>(sp => new VrpSweepBankOperations(
            new TransferServiceBankOperations(sp.GetRequiredService<Settlement.OpenBanking.Transfers.TransferService>()), sp.GetRequiredService<IVrpSweeps>(), sp.GetRequiredService<IFlowStore>()));
        services.AddSettlementReconciliation(r => r.Stream = stream);
        return services.AddSettlementFlows(
            f =>
            {
                f.IndexerStream = stream;
                f.ResumeInterval = flows.ResumeInterval;
            },
            p =>
            {
                p.ChainId = service.ChainId;
                configurePayouts(p);
            });
    }
}

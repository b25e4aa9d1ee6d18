using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Settlement.Ethereum.Rpc;
using Settlement.OpenBanking;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Indexer;
using Settlement.Service.Ledger.Expiry;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Service.Storage.Sqlite;
using Settlement.SettlementService.Indexer;
using Settlement.SettlementService.OpenBanking;

namespace Settlement.SettlementService.Hosting;

/// <summary>
/// The settlement service's DI in one place: the ledger store (SQLite or PostgreSQL, from
/// <see cref="SettlementServiceOptions.Database"/>) migrated at start, the chain connection and indexer with its
/// follower, pending-transfer expiry, and (with an open-banking configuration) the connector and its resume worker.
/// Hosted services start in this order and stop in reverse.
/// </summary>
internal static class SettlementServiceRegistration
{
    public static IServiceCollection AddSettlementService(this IServiceCollection services, SettlementServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        if (options.IsPostgreSql)
        {
            services.AddPostgreSqlLedgerStore(options.Database);
        }
        else
        {
            services.AddSqliteLedgerStore(options.Database);
        }

        services.AddHostedService<LedgerMigration>();

        if (options.RpcUrl is { } url)
        {
            services.AddSingleton<RpcHttpClient>();
            services.TryAddSingleton(sp => new EthereumRpcClient(
                sp.GetRequiredService<RpcHttpClient>().Http, new EthereumRpcOptions { Url = url, ChainId = options.ChainId }));
        }

        services.AddSingleton<IndexerStatus>();
        services.AddSingleton(sp => new SettlementServiceMetrics(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<IndexerStatus>()));
        if (options.IndexerEnabled)
        {
            var indexer = options.ToIndexerOptions();
            services.AddChainIndexer(o => Copy(indexer, o));
            services.AddHostedService<IndexerFollower>();
        }

        services.AddPendingTransferExpiry();
        services.Configure<PendingExpiryOptions>(o => o.Interval = options.PendingExpiryInterval);

        if (options.OpenBankingConfigPath is not null)
        {
            services.AddOpenBanking();
            services.AddVrpSweeps();
            services.AddHostedService<TransferResumeWorker>();
        }

        return services;
    }

    private static void Copy(IndexerOptions from, IndexerOptions to)
    {
        to.ChainId = from.ChainId;
        to.ChannelContract = from.ChannelContract;
        to.Token = from.Token;
        to.StartBlock = from.StartBlock;
        to.Confirmations = from.Confirmations;
        to.MaxBlockRange = from.MaxBlockRange;
        to.InitialBlockRange = from.InitialBlockRange;
        to.PollInterval = from.PollInterval;
    }

    /// <summary>The HTTP client of the chain connection, owned (and disposed) by the container.</summary>
    private sealed class RpcHttpClient : IDisposable
    {
        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

        public void Dispose() => Http.Dispose();
    }
}

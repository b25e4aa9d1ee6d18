using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Indexer;

/// <summary>Registers the chain indexer.</summary>
public static class ChainIndexerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ChainIndexer"/> with <see cref="IndexerOptions"/> bound from <paramref name="section"/> and
    /// validated at start. Needs an <see cref="EthereumRpcClient"/> (<c>AddEthereumRpc</c>) unless an
    /// <see cref="IChainSource"/> is registered, and a ledger store that is also the <see cref="IChainIndexStore"/>
    /// (<c>AddSqliteLedgerStore</c> / <c>AddPostgreSqlLedgerStore</c>).
    /// </summary>
    public static IServiceCollection AddChainIndexer(this IServiceCollection services, string section = IndexerOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<IndexerOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddChainIndexerCore();
    }

    /// <summary>Adds <see cref="ChainIndexer"/> with options from <paramref name="configure"/>, validated at start.</summary>
    public static IServiceCollection AddChainIndexer(this IServiceCollection services, Action<IndexerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<IndexerOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        return services.AddChainIndexerCore();
    }

    private static IServiceCollection AddChainIndexerCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChainSource>(sp => new RpcChainSource(sp.GetRequiredService<EthereumRpcClient>()));
        services.TryAddSingleton(sp => new ChainIndexer(
            sp.GetRequiredService<IChainSource>(),
            sp.GetRequiredService<IChainIndexStore>(),
            sp.GetRequiredService<IOptions<IndexerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ChainIndexer>>()));
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>Registers <see cref="PostgreSqlLedgerStore"/> as the <see cref="ILedgerStore"/>, the chain indexer's <see cref="IChainIndexStore"/> and the settlement flows' <see cref="IFlowStore"/> and <see cref="ISweepingConsentStore"/>.</summary>
public static class PostgreSqlLedgerStoreServiceCollectionExtensions
{
    /// <summary>The service key of the store's own <see cref="NpgsqlDataSource"/> (disposed with the container).</summary>
    public const string DataSourceKey = "Settlement.Service.Storage.PostgreSql";

    /// <summary>Adds the PostgreSQL ledger on <paramref name="connectionString"/>.</summary>
    /// <remarks>Each instance calls <see cref="ILedgerStore.MigrateAsync"/> at start (safe concurrently).</remarks>
    public static IServiceCollection AddPostgreSqlLedgerStore(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgreSqlLedgerStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>Adds the PostgreSQL ledger configured by <paramref name="configure"/>, with the options validated at start.</summary>
    public static IServiceCollection AddPostgreSqlLedgerStore(this IServiceCollection services, Action<PostgreSqlLedgerStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PostgreSqlLedgerStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(DataSourceKey, (sp, _) =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgreSqlLedgerStoreOptions>>().Value.ConnectionString!));
        services.TryAddSingleton(sp => new PostgreSqlLedgerStore(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PostgreSqlLedgerStoreOptions>>().Value.MaxRetries,
            sp.GetService<ILogger<PostgreSqlLedgerStore>>()));
        services.TryAddSingleton<ILedgerStore>(sp => sp.GetRequiredService<PostgreSqlLedgerStore>());
        services.TryAddSingleton<IChainIndexStore>(sp => sp.GetRequiredService<PostgreSqlLedgerStore>());
        services.TryAddSingleton<IFlowStore>(sp => sp.GetRequiredService<PostgreSqlLedgerStore>());
        services.TryAddSingleton<ISweepingConsentStore>(sp => sp.GetRequiredService<PostgreSqlLedgerStore>());
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteLedgerStore"/> as the <see cref="ILedgerStore"/>, the chain indexer's <see cref="IChainIndexStore"/> and the settlement flows' <see cref="IFlowStore"/> and <see cref="ISweepingConsentStore"/>.</summary>
public static class SqliteLedgerStoreServiceCollectionExtensions
{
    /// <summary>Adds the SQLite ledger on the file <paramref name="path"/>.</summary>
    /// <remarks>The host calls <see cref="ILedgerStore.MigrateAsync"/> once at start.</remarks>
    public static IServiceCollection AddSqliteLedgerStore(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return services.AddSqliteLedgerStore(options => options.Path = path);
    }

    /// <summary>Adds the SQLite ledger configured by <paramref name="configure"/>, with the options validated at start.</summary>
    public static IServiceCollection AddSqliteLedgerStore(this IServiceCollection services, Action<SqliteLedgerStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqliteLedgerStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteLedgerStore(
            sp.GetRequiredService<IOptions<SqliteLedgerStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<SqliteLedgerStore>>()));
        services.TryAddSingleton<ILedgerStore>(sp => sp.GetRequiredService<SqliteLedgerStore>());
        services.TryAddSingleton<IChainIndexStore>(sp => sp.GetRequiredService<SqliteLedgerStore>());
        services.TryAddSingleton<IFlowStore>(sp => sp.GetRequiredService<SqliteLedgerStore>());
        services.TryAddSingleton<ISweepingConsentStore>(sp => sp.GetRequiredService<SqliteLedgerStore>());
        return services;
    }
}

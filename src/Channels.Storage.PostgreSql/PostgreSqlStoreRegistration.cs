using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>The options every PostgreSQL store of this assembly takes.</summary>
internal interface IPostgreSqlStoreOptions
{
    /// <summary>The Npgsql connection string.</summary>
    string? ConnectionString { get; }

    /// <summary>Retries after a serialization failure or deadlock.</summary>
    int MaxRetries { get; }
}

/// <summary>
/// The registration every PostgreSQL store of this assembly shares: its options validated at start, its own
/// <see cref="NpgsqlDataSource"/> under a service key (disposed with the container), the store as a singleton and as the
/// interface it serves. Each <c>TryAdd</c>, so a registration made earlier wins.
/// </summary>
internal static class PostgreSqlStoreRegistration
{
    /// <summary>Adds the store <typeparamref name="TStore"/> serving <typeparamref name="TService"/>.</summary>
    /// <param name="services">The container.</param>
    /// <param name="configure">Applied over whatever else configures <typeparamref name="TOptions"/>.</param>
    /// <param name="dataSourceKey">The service key of the store's own data source.</param>
    /// <param name="create">The store on the data source, with the retries and a logger.</param>
    public static IServiceCollection Add<TOptions, TStore, TService>(
        IServiceCollection services, Action<TOptions> configure, string dataSourceKey, Func<NpgsqlDataSource, int, ILogger<TStore>?, TStore> create)
        where TOptions : class, IPostgreSqlStoreOptions
        where TStore : class, TService
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddKeyedSingleton(dataSourceKey, (sp, _) =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<TOptions>>().Value.ConnectionString!));
        services.TryAddSingleton(sp => create(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(dataSourceKey),
            sp.GetRequiredService<IOptions<TOptions>>().Value.MaxRetries,
            sp.GetService<ILogger<TStore>>()));
        services.TryAddSingleton<TService>(sp => sp.GetRequiredService<TStore>());
        return services;
    }
}

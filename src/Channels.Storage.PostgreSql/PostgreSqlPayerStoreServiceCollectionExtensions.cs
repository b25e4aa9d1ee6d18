using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>Registers <see cref="PostgreSqlPayerStore"/> as the payer's <see cref="IPayerStore"/>.</summary>
public static class PostgreSqlPayerStoreServiceCollectionExtensions
{
    /// <summary>The service key of the payer store's own <see cref="NpgsqlDataSource"/> (disposed with the container).</summary>
    public const string DataSourceKey = "Settlement.Channels.Storage.PostgreSql.Payer";

    /// <summary>Adds the PostgreSQL payer store on <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddPostgreSqlPayerStore(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgreSqlPayerStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Adds the PostgreSQL payer store configured by <paramref name="configure"/> (applied over whatever else configures
    /// <see cref="PostgreSqlPayerStoreOptions"/>, e.g. a <c>BindConfiguration(PostgreSqlPayerStoreOptions.SectionName)</c>),
    /// with the options validated at start. The store migrates the database on first use (safe concurrently).
    /// </summary>
    public static IServiceCollection AddPostgreSqlPayerStore(this IServiceCollection services, Action<PostgreSqlPayerStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PostgreSqlPayerStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddKeyedSingleton(DataSourceKey, (sp, _) =>
            NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgreSqlPayerStoreOptions>>().Value.ConnectionString!));
        services.TryAddSingleton(sp => new PostgreSqlPayerStore(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey),
            sp.GetRequiredService<IOptions<PostgreSqlPayerStoreOptions>>().Value.MaxRetries,
            sp.GetService<ILogger<PostgreSqlPayerStore>>()));
        services.TryAddSingleton<IPayerStore>(sp => sp.GetRequiredService<PostgreSqlPayerStore>());
        return services;
    }
}

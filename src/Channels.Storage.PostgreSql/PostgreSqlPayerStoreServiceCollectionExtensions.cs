using Microsoft.Extensions.DependencyInjection;
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
        return PostgreSqlStoreRegistration.Add<PostgreSqlPayerStoreOptions, PostgreSqlPayerStore, IPayerStore>(
            services, configure, DataSourceKey, (dataSource, maxRetries, logger) => new PostgreSqlPayerStore(dataSource, maxRetries, logger));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>Registers <see cref="PostgreSqlVoucherStore"/> as the payee's <see cref="IVoucherStore"/>.</summary>
public static class PostgreSqlVoucherStoreServiceCollectionExtensions
{
    /// <summary>The service key of the store's own <see cref="NpgsqlDataSource"/> (disposed with the container).</summary>
    public const string DataSourceKey = "Settlement.Channels.Storage.PostgreSql";

    /// <summary>Adds the PostgreSQL voucher store on <paramref name="connectionString"/>.</summary>
    /// <remarks>Each instance calls <see cref="IVoucherStore.MigrateAsync"/> at start (safe concurrently).</remarks>
    public static IServiceCollection AddPostgreSqlVoucherStore(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgreSqlVoucherStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Adds the PostgreSQL voucher store configured by <paramref name="configure"/> (applied over whatever else configures
    /// <see cref="PostgreSqlVoucherStoreOptions"/>, e.g. a <c>BindConfiguration(PostgreSqlVoucherStoreOptions.SectionName)</c>),
    /// with the options validated at start.
    /// </summary>
    /// <remarks>Each instance calls <see cref="IVoucherStore.MigrateAsync"/> at start (safe concurrently).</remarks>
    public static IServiceCollection AddPostgreSqlVoucherStore(this IServiceCollection services, Action<PostgreSqlVoucherStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return PostgreSqlStoreRegistration.Add<PostgreSqlVoucherStoreOptions, PostgreSqlVoucherStore, IVoucherStore>(
            services, configure, DataSourceKey, (dataSource, maxRetries, logger) => new PostgreSqlVoucherStore(dataSource, maxRetries, logger));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteVoucherStore"/> as the payee's <see cref="IVoucherStore"/>.</summary>
public static class SqliteVoucherStoreServiceCollectionExtensions
{
    /// <summary>Adds the SQLite voucher store on the file <paramref name="path"/>.</summary>
    /// <remarks>The host calls <see cref="IVoucherStore.MigrateAsync"/> once at start, before serving.</remarks>
    public static IServiceCollection AddSqliteVoucherStore(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return services.AddSqliteVoucherStore(options => options.Path = path);
    }

    /// <summary>
    /// Adds the SQLite voucher store configured by <paramref name="configure"/> (applied over whatever else configures
    /// <see cref="SqliteVoucherStoreOptions"/>, e.g. a <c>BindConfiguration(SqliteVoucherStoreOptions.SectionName)</c>),
    /// with the options validated at start.
    /// </summary>
    /// <remarks>The host calls <see cref="IVoucherStore.MigrateAsync"/> once at start, before serving.</remarks>
    public static IServiceCollection AddSqliteVoucherStore(this IServiceCollection services, Action<SqliteVoucherStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqliteVoucherStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new SqliteVoucherStore(
            sp.GetRequiredService<IOptions<SqliteVoucherStoreOptions>>().Value,
            sp.GetService<ILogger<SqliteVoucherStore>>()));
        services.TryAddSingleton<IVoucherStore>(sp => sp.GetRequiredService<SqliteVoucherStore>());
        return services;
    }
}

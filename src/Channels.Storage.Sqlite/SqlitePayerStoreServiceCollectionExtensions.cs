using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>Registers <see cref="SqlitePayerStore"/> as the payer's <see cref="IPayerStore"/>.</summary>
public static class SqlitePayerStoreServiceCollectionExtensions
{
    /// <summary>Adds the SQLite payer store on the file <paramref name="path"/>.</summary>
    public static IServiceCollection AddSqlitePayerStore(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return services.AddSqlitePayerStore(options => options.Path = path);
    }

    /// <summary>
    /// Adds the SQLite payer store configured by <paramref name="configure"/> (applied over whatever else configures
    /// <see cref="SqlitePayerStoreOptions"/>, e.g. a <c>BindConfiguration(SqlitePayerStoreOptions.SectionName)</c>), with
    /// the options validated at start. The store migrates its file on first use.
    /// </summary>
    public static IServiceCollection AddSqlitePayerStore(this IServiceCollection services, Action<SqlitePayerStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqlitePayerStoreOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new SqlitePayerStore(sp.GetRequiredService<IOptions<SqlitePayerStoreOptions>>().Value.Path!));
        services.TryAddSingleton<IPayerStore>(sp => sp.GetRequiredService<SqlitePayerStore>());
        return services;
    }
}

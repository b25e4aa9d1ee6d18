using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Watchtower;

namespace Settlement.Channels.Storage.Sqlite.Watchtower;

/// <summary>Registers <see cref="SqliteWatchtowerStore"/> as the <see cref="IWatchtowerStore"/>.</summary>
public static class SqliteWatchtowerStoreServiceCollectionExtensions
{
    /// <summary>Adds the SQLite watchtower store on the file <paramref name="path"/>.</summary>
    /// <remarks>The host calls <see cref="IWatchtowerStore.MigrateAsync"/> once at start.</remarks>
    public static IServiceCollection AddSqliteWatchtowerStore(this IServiceCollection services, string path)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        services.TryAddSingleton(sp => new SqliteWatchtowerStore(path, null, sp.GetService<ILogger<SqliteWatchtowerStore>>()));
        services.TryAddSingleton<IWatchtowerStore>(sp => sp.GetRequiredService<SqliteWatchtowerStore>());
        return services;
    }
}

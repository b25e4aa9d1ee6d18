using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;

namespace Settlement.OpenBanking.Vrp;

/// <summary>DI registration of sweeping VRP (on top of <see cref="OpenBankingServiceCollectionExtensions.AddOpenBanking"/>).</summary>
public static class VrpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IVrpSweeps"/> (<see cref="VrpSweepService"/>) over the connector's database file
    /// (<c>OpenBanking:DatabasePath</c>, tables <c>vrp_*</c>). Call after <c>AddOpenBanking</c>; the banks used for VRP
    /// must have <c>SpecVersion</c> V4_0. The notification receiver routes <c>domestic-vrp</c> events to it.
    /// </summary>
    public static IServiceCollection AddVrpSweeps(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new SqliteVrpSweepStore(sp.GetRequiredService<IOptions<OpenBankingOptions>>().Value.DatabasePath));
        services.TryAddSingleton(sp => new VrpSweepService(
            sp.GetRequiredService<OpenBankingClients>(),
            sp.GetRequiredService<SqliteVrpSweepStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<VrpSweepService>>()));
        services.TryAddSingleton<IVrpSweeps>(sp => sp.GetRequiredService<VrpSweepService>());
        return services;
    }
}

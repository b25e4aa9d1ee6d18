using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Settlement.Channels.Watchtower;

/// <summary>Registers the watchtower.</summary>
public static class WatchtowerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DelegationIntake"/>, <see cref="WatchtowerFollower"/> and <see cref="WatchtowerMetrics"/> with
    /// <see cref="WatchtowerOptions"/> validated at start (the host binds the <c>Watchtower</c> section) (a bad setting
    /// names itself). The host registers an <see cref="IWatchtowerStore"/> and an <see cref="IWatchtowerChain"/>, calls
    /// <see cref="IWatchtowerStore.MigrateAsync"/> once and runs <see cref="WatchtowerFollower.RunAsync"/>.
    /// </summary>
    public static OptionsBuilder<WatchtowerOptions> AddWatchtower(this IServiceCollection services, Action<WatchtowerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<WatchtowerOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new WatchtowerMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new DelegationIntake(
            sp.GetRequiredService<IWatchtowerStore>(),
            sp.GetRequiredService<IWatchtowerChain>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WatchtowerMetrics>(),
            sp.GetService<ILogger<DelegationIntake>>()));
        services.TryAddSingleton(sp => new WatchtowerFollower(
            sp.GetRequiredService<IWatchtowerStore>(),
            sp.GetRequiredService<IWatchtowerChain>(),
            sp.GetRequiredService<IOptions<WatchtowerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WatchtowerMetrics>(),
            sp.GetService<ILogger<WatchtowerFollower>>()));
        return builder;
    }
}

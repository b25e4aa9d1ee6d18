using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Payee;

/// <summary>Registers the payee engine.</summary>
public static class PayeeServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PayeeEngine"/> with <see cref="PayeeOptions"/> (validated at start; a bad setting names
    /// itself) and <see cref="PayeeMetrics"/>. The host registers an <see cref="IVoucherStore"/>, an
    /// <see cref="IChannelViewSource"/> and optionally a <see cref="ReceiptSigner"/>, and calls
    /// <see cref="PayeeEngine.StartAsync"/> / <see cref="PayeeEngine.StopAsync"/>.
    /// </summary>
    public static OptionsBuilder<PayeeOptions> AddPayeeEngine(this IServiceCollection services, Action<PayeeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PayeeOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PayeeMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new PayeeEngine(
            sp.GetRequiredService<IOptions<PayeeOptions>>(),
            sp.GetRequiredService<IVoucherStore>(),
            sp.GetRequiredService<IChannelViewSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PayeeEngine>>(),
            sp.GetService<ReceiptSigner>(),
            sp.GetRequiredService<PayeeMetrics>()));
        return builder;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking;

/// <summary>DI registration of the open-banking connector.</summary>
public static class OpenBankingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the connector: options bound from <paramref name="configSectionPath"/> (and/or
    /// <paramref name="configure"/>) validated at start (<see cref="OpenBankingOptionsValidator"/>,
    /// ValidateOnStart), one named HttpClient per bank (<c>openbanking:&lt;bank&gt;</c>, TLS trust and
    /// mTLS certificate), <see cref="OpenBankingClients"/>, <see cref="TransferService"/> and the
    /// notification receiver. No hosted service and no endpoint: the settlement service host
    /// (<c>src/SettlementService</c>) runs the resume worker and maps the notification webhook.
    /// </summary>
    public static OptionsBuilder<OpenBankingOptions> AddOpenBanking(this IServiceCollection services, Action<OpenBankingOptions>? configure = null,
        string? configSectionPath = OpenBankingOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<OpenBankingOptions>();
        if (configSectionPath is not null)
        {
            builder.BindConfiguration(configSectionPath);
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenBankingOptions>, OpenBankingOptionsValidator>());
        services.AddHttpClient();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, BankHttpClientConfigurator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OpenBankingClients>();
        services.TryAddSingleton(sp => new SqliteTransferStore(sp.GetRequiredService<IOptions<OpenBankingOptions>>().Value.DatabasePath));
        services.TryAddSingleton(sp => new TransferService(
            sp.GetRequiredService<OpenBankingClients>(),
            sp.GetRequiredService<SqliteTransferStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TransferService>>(),
            sp.GetService<ITransferCheckpointObserver>()));
        services.TryAddSingleton<EventNotificationReceiver>();
        return builder;
    }
}

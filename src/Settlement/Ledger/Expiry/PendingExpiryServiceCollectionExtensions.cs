using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Settlement.Service.Ledger.Expiry;

/// <summary>Registers the hosted service that expires pending ledger transfers on a schedule.</summary>
public static class PendingExpiryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the pending-transfer expiry service with <see cref="PendingExpiryOptions"/> bound from
    /// <paramref name="section"/> and validated at start. Needs an <see cref="ILedgerStore"/>
    /// (<c>AddSqliteLedgerStore</c> / <c>AddPostgreSqlLedgerStore</c>).
    /// </summary>
    public static IServiceCollection AddPendingTransferExpiry(this IServiceCollection services, string section = PendingExpiryOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PendingExpiryOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<PendingExpiryService>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee.Storage;

namespace Settlement.PayeeService.Watchtower;

/// <summary>Registers <see cref="WatchtowerForwarder"/> and its typed <see cref="WatchtowerClient"/>.</summary>
public static class WatchtowerForwardingRegistration
{
    /// <summary>Adds forwarding to <see cref="WatchtowerForwardingOptions.Url"/>; does nothing when it is null.</summary>
    public static IServiceCollection AddWatchtowerForwarding(this IServiceCollection services, WatchtowerForwardingOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Url is not { } url)
        {
            return services;
        }

        var baseUrl = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        services.AddHttpClient<WatchtowerClient>(http =>
        {
            http.BaseAddress = baseUrl;
            http.Timeout = options.RequestTimeout;
        });
        services.AddSingleton(sp => new WatchtowerForwarder(
            sp.GetRequiredService<IVoucherStore>(), sp.GetRequiredService<WatchtowerClient>(), options,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WatchtowerForwarder>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WatchtowerForwarder>());
        return services;
    }
}

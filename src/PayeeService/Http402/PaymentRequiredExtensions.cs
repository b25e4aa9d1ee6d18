using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Settlement.PayeeService.Http402;

/// <summary>Pay-per-request routes: register, add the middleware, price a route (docs/payee.md, "HTTP 402").</summary>
public static class PaymentRequiredExtensions
{
    /// <summary>
    /// Registers the 402 middleware's options (validated at start) and its credit book. The app also registers the
    /// payee engine (<see cref="Hosting.PayeeServiceRegistration.AddPayeeService"/>).
    /// </summary>
    public static OptionsBuilder<PaymentRequiredOptions> AddPaymentRequired(this IServiceCollection services, Action<PaymentRequiredOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton<PaymentCreditBook>();
        return services.AddOptions<PaymentRequiredOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>Adds the middleware that charges priced routes. Call it after routing (minimal APIs route first by default).</summary>
    public static IApplicationBuilder UsePaymentRequired(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<PaymentRequiredMiddleware>();
    }

    /// <summary>Prices an endpoint: requests without a new voucher get 402.</summary>
    public static TBuilder RequirePayment<TBuilder>(this TBuilder builder, PaymentPrice price)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(price);
        return builder.WithMetadata(price);
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Storage;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Payee.Policy;

/// <summary>Registers the payee's redeem and close policy.</summary>
public static class PayeePolicyServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PayeePolicyRunner"/>, its reader, executor and metrics, with <see cref="PayeePolicyOptions"/>
    /// (section <see cref="PayeePolicyOptions.Section"/>; validated at start, a bad setting names itself). The host
    /// registers an <see cref="IVoucherStore"/>, a <see cref="ChainChannelViewSource"/>, the <see cref="ChannelContract"/>,
    /// its <see cref="EthereumRpcClient"/>, and gives <paramref name="payee"/>: the transactor that sends as the payee.
    /// </summary>
    public static OptionsBuilder<PayeePolicyOptions> AddPayeePolicy(
        this IServiceCollection services, Func<IServiceProvider, IContractTransactor> payee, Action<PayeePolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(payee);
        var builder = services.AddOptions<PayeePolicyOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PayeePolicyMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new PolicySnapshotReader(
            sp.GetRequiredService<IVoucherStore>(),
            sp.GetRequiredService<ChainChannelViewSource>(),
            sp.GetRequiredService<ChannelContract>(),
            sp.GetRequiredService<EthereumRpcClient>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new PolicyActionExecutor(
            sp.GetRequiredService<ChannelContract>(),
            payee(sp),
            sp.GetService<ILogger<PolicyActionExecutor>>(),
            sp.GetRequiredService<PayeePolicyMetrics>(),
            sp.GetRequiredService<IVoucherStore>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new PayeePolicyRunner(
            sp.GetRequiredService<PolicySnapshotReader>(),
            sp.GetRequiredService<PolicyActionExecutor>(),
            sp.GetRequiredService<IOptions<PayeePolicyOptions>>(),
            sp.GetService<ILogger<PayeePolicyRunner>>()));
        return builder;
    }
}

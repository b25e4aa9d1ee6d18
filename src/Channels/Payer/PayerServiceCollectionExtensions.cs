using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer;

/// <summary>Registers the payer SDK's <see cref="PayerClient"/>.</summary>
public static class PayerServiceCollectionExtensions
{
    /// <summary>The service key of the payer's <see cref="PrivateKey"/> (owned and disposed by the container).</summary>
    public const string PayerKeyServiceKey = "Settlement.Channels.Payer.Key";

    /// <summary>
    /// Adds one <see cref="PayerClient"/> (a singleton, disposed with the container) with <see cref="PayerOptions"/>
    /// validated at start (a bad setting names itself). The client takes the <see cref="EthereumRpcClient"/>
    /// (<c>AddEthereumRpc</c>), an <see cref="IPayerStore"/> (<c>AddSqlitePayerStore</c> or
    /// <c>AddPostgreSqlPayerStore</c>), the <see cref="TimeProvider"/> (the system clock unless one is registered), the
    /// <see cref="ILoggerFactory"/> if any and an <see cref="IContractTransactor"/> if one is registered (the payer's own
    /// transactions). Bind configuration with the returned builder, e.g. <c>.BindConfiguration(PayerOptions.Section)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="payerKey">Makes the payer's key (read from a keystore or a secret store) once, on first use.</param>
    /// <param name="configure">Settings applied over whatever else configures <see cref="PayerOptions"/>.</param>
    public static OptionsBuilder<PayerOptions> AddPayerClient(
        this IServiceCollection services, Func<IServiceProvider, PrivateKey> payerKey, Action<PayerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(payerKey);
        var builder = services.AddOptions<PayerOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(PayerKeyServiceKey, (sp, _) => payerKey(sp));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PayerOptions>>().Value;
            var rpc = sp.GetRequiredService<EthereumRpcClient>();
            return new PayerClient(
                new ChannelContract(rpc, options.GetContractAddress()),
                rpc,
                sp.GetRequiredKeyedService<PrivateKey>(PayerKeyServiceKey),
                sp.GetRequiredService<IPayerStore>(),
                new PayerClientOptions
                {
                    TimeProvider = sp.GetRequiredService<TimeProvider>(),
                    Transactor = sp.GetService<IContractTransactor>(),
                    ReceiptSigner = options.GetReceiptSigner(),
                    ReconnectInitialDelay = options.ReconnectInitialDelay,
                    ReconnectMaxDelay = options.ReconnectMaxDelay,
                    ConnectTimeout = options.ConnectTimeout,
                    RetryDelay = options.RetryDelay,
                    DepositConfirmations = options.DepositConfirmations,
                    DepositPollInterval = options.DepositPollInterval,
                    LoggerFactory = sp.GetService<ILoggerFactory>(),
                });
        });
        return builder;
    }
}

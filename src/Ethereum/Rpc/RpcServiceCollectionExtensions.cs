using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Settlement.Ethereum.Rpc;

/// <summary>Registers the Ethereum JSON-RPC client and the transaction sender.</summary>
public static class RpcServiceCollectionExtensions
{
    /// <summary>The named HttpClient the RPC client uses.</summary>
    public const string HttpClientName = "Settlement.Ethereum.Rpc";

    /// <summary>
    /// Adds <see cref="EthereumRpcClient"/>, <see cref="NonceManager"/> and <see cref="TransactionSender"/>
    /// as singletons, with <see cref="EthereumRpcOptions"/> bound from <paramref name="rpcSection"/> and
    /// <see cref="TransactionSenderOptions"/> from <paramref name="senderSection"/>, both validated at start.
    /// </summary>
    public static IServiceCollection AddEthereumRpc(
        this IServiceCollection services,
        string rpcSection = EthereumRpcOptions.SectionName,
        string senderSection = TransactionSenderOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EthereumRpcOptions>().BindConfiguration(rpcSection).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TransactionSenderOptions>().BindConfiguration(senderSection).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // One long-lived HttpClient per client instance; pooled connections are recycled so DNS changes are seen.
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(sp => new EthereumRpcClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<EthereumRpcOptions>>().Value,
            sp.GetService<ILogger<EthereumRpcClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new NonceManager(
            sp.GetRequiredService<EthereumRpcClient>(),
            sp.GetService<ILogger<NonceManager>>()));
        services.TryAddSingleton(sp => new TransactionSender(
            sp.GetRequiredService<EthereumRpcClient>(),
            sp.GetRequiredService<NonceManager>(),
            sp.GetRequiredService<IOptions<TransactionSenderOptions>>().Value,
            sp.GetService<ILogger<TransactionSender>>()));
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Channels.Storage.Sqlite.Watchtower;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.WatchtowerService.Hosting;

/// <summary>The watchtower in an ASP.NET Core app: chain connection, gas key, SQLite store, intake, follower and its lifetime.</summary>
public static class WatchtowerServiceRegistration
{
    /// <summary>Adds the watchtower. <paramref name="gasKey"/> pays the watchtower's gas; the caller keeps ownership.</summary>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it).</exception>
    public static IServiceCollection AddWatchtowerService(this IServiceCollection services, WatchtowerServiceOptions options, PrivateKey gasKey)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gasKey);
        options.ThrowIfInvalid();
        services.AddSingleton(options);
        services.AddSingleton(new RpcHttpClient());
        services.AddSingleton(sp => new EthereumRpcClient(
            sp.GetRequiredService<RpcHttpClient>().Http, new EthereumRpcOptions { Url = options.RpcUrl, ChainId = options.Watchtower.ChainId }));
        services.AddSingleton(sp => new NonceManager(sp.GetRequiredService<EthereumRpcClient>(), sp.GetService<ILogger<NonceManager>>()));
        services.AddSingleton(sp => new TransactionSender(
            sp.GetRequiredService<EthereumRpcClient>(), sp.GetRequiredService<NonceManager>(), new TransactionSenderOptions(), sp.GetService<ILogger<TransactionSender>>()));
        services.AddSingleton<IWatchtowerChain>(sp =>
        {
            var rpc = sp.GetRequiredService<EthereumRpcClient>();
            return new RpcWatchtowerChain(
                rpc, new ChannelContract(rpc, options.Watchtower.GetContractAddress()), sp.GetRequiredService<TransactionSender>(), sp.GetRequiredService<NonceManager>(), gasKey);
        });
        services.AddSqliteWatchtowerStore(options.Database);
        services.AddWatchtower(options.Watchtower.CopyTo);
        services.AddHostedService<WatchtowerLifetime>();
        return services;
    }

    /// <summary>The HTTP client of the chain connection, owned (and disposed) by the container.</summary>
    private sealed class RpcHttpClient : IDisposable
    {
        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

        public void Dispose() => Http.Dispose();
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService.Watchtower;

namespace Settlement.PayeeService.Hosting;

/// <summary>
/// Everything a payee needs in an ASP.NET Core app, in one call: the chain connection, the voucher store (SQLite or
/// PostgreSQL, from <see cref="PayeeServiceOptions.Database"/>), the payee engine, the chain follower and a hosted
/// service that starts them before requests and drains queued writes on stop. <c>l2pay serve payee</c> and a
/// merchant's own app with priced routes (<see cref="Http402.PaymentRequiredExtensions"/>) both use it.
/// </summary>
public static class PayeeServiceRegistration
{
    /// <summary>
    /// Adds the payee engine and its dependencies. <paramref name="receiptKey"/> signs receipts and close agreements; the
    /// caller keeps ownership. <paramref name="time"/> is the clock (the system's unless given; tests shift it).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it).</exception>
    public static IServiceCollection AddPayeeService(
        this IServiceCollection services, PayeeServiceOptions options, PrivateKey? receiptKey = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        services.AddSingleton(options);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(new RpcHttpClient());
        services.AddSingleton(sp => new EthereumRpcClient(
            sp.GetRequiredService<RpcHttpClient>().Http, new EthereumRpcOptions { Url = options.RpcUrl, ChainId = options.Engine.ChainId }));
        services.AddSingleton(sp => new ChannelContract(sp.GetRequiredService<EthereumRpcClient>(), options.Engine.GetContractAddress()));
        services.AddSingleton(sp => new ChainChannelViewSource(
            sp.GetRequiredService<ChannelContract>(), sp.GetRequiredService<EthereumRpcClient>(), options.Engine.ChainId, options.Confirmations));
        services.AddSingleton<IChannelViewSource>(sp => sp.GetRequiredService<ChainChannelViewSource>());
        services.AddSingleton(sp => new PayeeChainFollower(
            sp.GetRequiredService<PayeeEngine>(), sp.GetRequiredService<ChannelContract>(), sp.GetRequiredService<ChainChannelViewSource>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PayeeChainFollower>>()));
        if (receiptKey is not null)
        {
            services.AddSingleton(new ReceiptSigner(receiptKey));
        }

        if (options.IsPostgreSql)
        {
            services.AddPostgreSqlVoucherStore(options.Database);
        }
        else
        {
            services.AddSqliteVoucherStore(options.Database);
        }

        services.AddPayeeEngine(options.Engine.CopyTo);
        services.AddHostedService<PayeeEngineLifetime>();
        if (options.Policy.Enabled)
        {
            if (receiptKey is null)
            {
                throw new ArgumentException("Payee:Policy:Enabled needs the payee's key: the policy sends its redeems and closes as the payee.");
            }

            services.AddPayeePolicy(
                sp =>
                {
                    var rpc = sp.GetRequiredService<EthereumRpcClient>();
                    return new SignedTransactor(new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(250) }), receiptKey);
                },
                options.Policy.CopyTo);
            services.AddHostedService<PayeePolicyService>();
        }

        services.AddWatchtowerForwarding(options.Watchtower);
        return services;
    }

    /// <summary>The HTTP client of the chain connection, owned (and disposed) by the container.</summary>
    private sealed class RpcHttpClient : IDisposable
    {
        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

        public void Dispose() => Http.Dispose();
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Payee;

/// <summary>
/// What a payee verb that sends transactions needs, built from its options: the sender's key, the chain node, the
/// contract, and (with a database) the payee's voucher store with the policy's reader, executor and runner.
/// Disposing zeroes the key and closes the store.
/// </summary>
internal sealed class PayeeCliContext : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ServiceProvider? _services;

    private PayeeCliContext(HttpClient http, PrivateKey key, EthereumRpcClient rpc, ChannelContract contract, ServiceProvider? services, PayeePolicyOptions policy)
    {
        _http = http;
        _services = services;
        Key = key;
        Rpc = rpc;
        Contract = contract;
        Chain = new ChainChannelViewSource(contract, rpc, rpc.ChainId, confirmations: 0);
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(50) });
        var store = services?.GetRequiredService<IVoucherStore>();
        Executor = new PolicyActionExecutor(contract, new SignedTransactor(sender, key), store: store);
        if (store is not null)
        {
            Reader = new PolicySnapshotReader(store, Chain, contract, rpc);
            Runner = new PayeePolicyRunner(Reader, Executor, Options.Create(policy));
        }
    }

    public PrivateKey Key { get; }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    public ChainChannelViewSource Chain { get; }

    public PolicyActionExecutor Executor { get; }

    /// <summary>The policy runner over the payee's store (null without <c>--db</c>).</summary>
    public PayeePolicyRunner? Runner { get; }

    /// <summary>The snapshot reader over the payee's store (null without <c>--db</c>).</summary>
    public PolicySnapshotReader? Reader { get; }

    /// <summary>
    /// Loads the key, asks the node its chain id and binds to the contract; with <paramref name="database"/> (a SQLite
    /// file that must exist, or a PostgreSQL connection string) opens the payee's store.
    /// </summary>
    public static async Task<PayeeCliContext> CreateAsync(
        string keyFile, Uri rpcUrl, Address contract, string? database, PayeePolicyOptions? policy, CancellationToken ct)
    {
        ServiceProvider? services = null;
        if (database is not null)
        {
            var postgres = database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
            if (!postgres && !File.Exists(database))
            {
                throw new IOException($"no payee database at {Path.GetFullPath(database)}");
            }

            var collection = new ServiceCollection().AddLogging();
            _ = postgres ? collection.AddPostgreSqlVoucherStore(database) : collection.AddSqliteVoucherStore(database);
            services = collection.BuildServiceProvider();
        }

        var key = KeyFile.Load(keyFile, KeystorePassword.ForReading);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var id = await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpcUrl }).GetChainIdAsync(ct).ConfigureAwait(false);
            var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpcUrl, ChainId = id });
            return new PayeeCliContext(http, key, rpc, new ChannelContract(rpc, contract), services, policy ?? new PayeePolicyOptions());
        }
        catch
        {
            key.Dispose();
            http.Dispose();
            if (services is not null)
            {
                await services.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        _http.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
    }
}

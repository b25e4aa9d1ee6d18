using System.Globalization;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Payer;

/// <summary>
/// What a payer verb needs, built from its options: the payer's key, the chain node, the contract and a
/// <see cref="PayerClient"/> over the payer's SQLite file. Disposing stops the client and zeroes the key.
/// </summary>
internal sealed class PayerCliContext : IAsyncDisposable
{
    private readonly HttpClient _http;

    private PayerCliContext(HttpClient http, PrivateKey key, EthereumRpcClient rpc, ChannelContract contract, SqlitePayerStore store, IContractTransactor transactor)
    {
        _http = http;
        Key = key;
        Rpc = rpc;
        Contract = contract;
        Store = store;
        Client = new PayerClient(contract, rpc, key, store, new PayerClientOptions { Transactor = transactor, ConnectTimeout = TimeSpan.FromSeconds(5) });
    }

    public PrivateKey Key { get; }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    public SqlitePayerStore Store { get; }

    public PayerClient Client { get; }

    /// <summary>
    /// Loads the key and binds to the contract. With <paramref name="chainId"/> the node is not asked (a payment needs
    /// no chain access); otherwise the node's chain id is read.
    /// </summary>
    public static async Task<PayerCliContext> CreateAsync(string keyFile, Uri rpcUrl, Address contract, string database, ulong? chainId, CancellationToken ct)
    {
        var key = KeyFile.Load(keyFile, KeystorePassword.ForReading);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var id = chainId ?? await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpcUrl }).GetChainIdAsync(ct).ConfigureAwait(false);
            var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpcUrl, ChainId = id });
            var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(50) });
            return new PayerCliContext(http, key, rpc, new ChannelContract(rpc, contract), new SqlitePayerStore(database), new SignedTransactor(sender, key));
        }
        catch
        {
            key.Dispose();
            http.Dispose();
            throw;
        }
    }

    /// <summary>A payee service's base URL (http://host:port/) or stream URL (ws://host:port/v1/stream) as the stream URL.</summary>
    public static Uri StreamUrl(string payeeUrl)
    {
        var uri = new Uri(payeeUrl, UriKind.Absolute);
        if (uri.Scheme is "ws" or "wss")
        {
            return uri;
        }

        var scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{uri.Authority}/v1/stream"));
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        Key.Dispose();
        _http.Dispose();
    }
}

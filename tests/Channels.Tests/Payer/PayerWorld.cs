using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// A payer, a payee and one channel kept in a store, with no chain: the chain node URL points nowhere, so only the
/// off-chain API is usable (signing, durability, receipts, refunds, metering).
/// </summary>
internal sealed class PayerWorld : IDisposable
{
    public const ulong ChainId = 31337;
    public static readonly Address ContractAddress = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly HttpClient Http = new();

    public PayerWorld(BigInteger deposit, IPayerStore? store = null, BigInteger? payeeDeposit = null, bool withChain = false, Address? token = null)
    {
        PayerKey = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
        PayeeKey = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
        StrangerKey = PrivateKey.Create(Enumerable.Repeat((byte)0x33, 32).ToArray());
        Chain = withChain ? new FakeChain(PayerKey.Address) : null;
        Rpc = new EthereumRpcClient(Chain is null ? Http : new HttpClient(Chain, disposeHandler: false), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:9/"), ChainId = ChainId });
        Contract = new ChannelContract(Rpc, ContractAddress);
        Parameters = new ChannelParameters(PayerKey.Address, PayeeKey.Address, token ?? Address.Zero, 3600, 1);
        Key = new ChannelKey(ChainId, ContractAddress, Parameters.Id);
        Store = store ?? new InMemoryPayerStore();
        Store.SaveChannelAsync(new PayerChannelRecord(Key, Parameters, deposit, payeeDeposit ?? BigInteger.Zero, null, PayerChannelStatus.Open)).GetAwaiter().GetResult();
    }

    /// <summary>The chain node and transactor when made <c>withChain</c>, else null (no chain).</summary>
    public FakeChain? Chain { get; }

    public PrivateKey PayerKey { get; }

    public PrivateKey PayeeKey { get; }

    public PrivateKey StrangerKey { get; }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    public ChannelParameters Parameters { get; }

    public ChannelKey Key { get; }

    public IPayerStore Store { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A new client over the same store: what a restarted payer sees.</summary>
    public PayerClient NewClient() => new(Contract, Rpc, PayerKey, Store, new PayerClientOptions { TimeProvider = Clock, Transactor = Chain });

    /// <summary>A new client over the same store with <paramref name="options"/> as given.</summary>
    public PayerClient NewClient(PayerClientOptions options) => new(Contract, Rpc, PayerKey, Store, options);

    public async Task<PayerChannel> ChannelAsync(PayerClient client) => (await client.GetChannelAsync(Key.ChannelId))!;

    public void Dispose()
    {
        Chain?.Dispose();
        PayerKey.Dispose();
        PayeeKey.Dispose();
        StrangerKey.Dispose();
    }
}

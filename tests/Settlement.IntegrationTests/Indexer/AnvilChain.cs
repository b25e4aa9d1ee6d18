using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Service.Indexer;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// A fresh channel contract and stablecoin on the shared Anvil node, with a platform (treasury), a payer, a payee and an
/// outsider, and the channel flows the indexer books. Reorgs are real: <c>anvil_reorg</c> or <c>evm_snapshot</c> /
/// <c>evm_revert</c>; after one, <see cref="Resync"/> makes new senders (their nonce caches belong to the old fork).
/// </summary>
public sealed class AnvilChain : IDisposable
{
    public const uint Period = 3600;
    private static readonly HttpClient Http = new();

    private AnvilChain(AnvilNode node, EthereumRpcClient rpc)
    {
        Node = node;
        Rpc = rpc;
        PlatformKey = EthereumDevNode.DevKey(0);
        PayerKey = EthereumDevNode.DevKey(1);
        PayeeKey = EthereumDevNode.DevKey(2);
        OtherKey = EthereumDevNode.DevKey(3);
        Resync();
    }

    public AnvilNode Node { get; }

    public EthereumRpcClient Rpc { get; }

    public PrivateKey PlatformKey { get; }

    public PrivateKey PayerKey { get; }

    public PrivateKey PayeeKey { get; }

    public PrivateKey OtherKey { get; }

    public IContractTransactor Platform { get; private set; } = null!;

    public IContractTransactor Payer { get; private set; } = null!;

    public IContractTransactor Payee { get; private set; } = null!;

    public IContractTransactor Other { get; private set; } = null!;

    public ChannelContract Channels { get; private set; } = null!;

    public StablecoinContract Token { get; private set; } = null!;

    public ulong StartBlock { get; private set; }

    public static async Task<AnvilChain> CreateAsync(AnvilNode node)
    {
        var chain = new AnvilChain(node, new EthereumRpcClient(Http, new EthereumRpcOptions { Url = node.RpcUrl, ChainId = node.ChainId }));
        chain.StartBlock = await chain.Rpc.GetBlockNumberAsync() + 1;
        chain.Channels = await ChannelContract.DeployAsync(chain.Rpc, chain.Platform);
        chain.Token = await StablecoinContract.DeployAsync(chain.Rpc, chain.Platform, chain.PlatformKey.Address);
        return chain;
    }

    /// <summary>New senders whose nonces are read from the node again (after a reorg or a revert).</summary>
    public void Resync()
    {
        var sender = new TransactionSender(Rpc, new NonceManager(Rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        Platform = new SignedTransactor(sender, PlatformKey);
        Payer = new SignedTransactor(sender, PayerKey);
        Payee = new SignedTransactor(sender, PayeeKey);
        Other = new SignedTransactor(sender, OtherKey);
    }

    public IndexerOptions Options(int confirmations = 0) => new()
    {
        ChainId = Node.ChainId,
        ChannelContract = Channels.Address.ToString(),
        Token = Token.Address.ToString(),
        StartBlock = StartBlock,
        Confirmations = confirmations,
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Mints to the payer, approves the contract and opens a channel payer → payee funded by the payer.</summary>
    public async Task<ChannelParameters> OpenAsync(BigInteger deposit)
    {
        await Token.MintAsync(Platform, PayerKey.Address, deposit * 2);
        await Token.ApproveAsync(Payer, Channels.Address, deposit * 2);
        var opened = await Channels.OpenAsync(Payer, PayerKey.Address, PayeeKey.Address, Token.Address, Period, deposit);
        return opened.Channel;
    }

    public Task RedeemAsync(ChannelParameters channel, BigInteger cumulative) =>
        Channels.RedeemAsync(Payee, channel, Channels.SignVoucher(PayerKey, channel.Id, cumulative));

    public Task RedeemBatchAsync(ChannelParameters channel, BigInteger cumulative) =>
        Channels.RedeemBatchAsync(Payee, Token.Address, [(channel, Channels.SignVoucher(PayerKey, channel.Id, cumulative))]);

    /// <summary>One batch of several items (a channel may appear more than once).</summary>
    public Task<TransactionReceipt> RedeemBatchAsync(IReadOnlyList<(ChannelParameters Channel, BigInteger Cumulative)> items) =>
        Channels.RedeemBatchAsync(Payee, Token.Address, items.Select(i => (i.Channel, Channels.SignVoucher(PayerKey, i.Channel.Id, i.Cumulative))).ToList());

    /// <summary>Unilateral close by the payer, the challenge period passes, anyone settles.</summary>
    public async Task CloseAndSettleAsync(ChannelParameters channel)
    {
        await Channels.StartCloseAsync(Payer, channel);
        await Node.IncreaseTimeAsync(Period + 1);
        await Node.MineAsync();
        await Channels.SettleAsync(Other, channel);
    }

    /// <summary><c>anvil_reorg</c>: replaces the newest <paramref name="depth"/> blocks with empty ones (their transactions are dropped).</summary>
    public async Task ReorgAsync(int depth)
    {
        await Node.RequestAsync("anvil_reorg", depth, Array.Empty<object>());
        Resync();
    }

    public IEnumerable<Address> Holders => [PlatformKey.Address, PayerKey.Address, PayeeKey.Address, OtherKey.Address];

    public void Dispose()
    {
        PlatformKey.Dispose();
        PayerKey.Dispose();
        PayeeKey.Dispose();
        OtherKey.Dispose();
    }
}

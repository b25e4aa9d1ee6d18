using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Support;

/// <summary>
/// A fresh channel contract and stablecoin on a running dev node, with four funded parties:
/// platform (deployer, treasury), payer, payee and an outsider.
/// </summary>
internal sealed class ChannelWorld : IDisposable
{
    public const uint Period = 3600;
    public static readonly BigInteger StartingTokens = 1_000_000_000_000;
    private static readonly HttpClient Http = new();

    private ChannelWorld(EthereumDevNode node, EthereumRpcClient rpc)
    {
        Node = node;
        Rpc = rpc;
        PlatformKey = PrivateKey.ParseHex(node.DevPrivateKeys[0]);
        PayerKey = PrivateKey.ParseHex(node.DevPrivateKeys[1]);
        PayeeKey = PrivateKey.ParseHex(node.DevPrivateKeys[2]);
        OtherKey = PrivateKey.ParseHex(node.DevPrivateKeys[3]);
        // Every transaction is built, signed (secp256k1, EIP-1559) and sent by Settlement.Ethereum.
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        Sender = sender;
        Platform = new SignedTransactor(sender, PlatformKey);
        Payer = new SignedTransactor(sender, PayerKey);
        Payee = new SignedTransactor(sender, PayeeKey);
        Other = new SignedTransactor(sender, OtherKey);
    }

    public EthereumDevNode Node { get; }

    public EthereumRpcClient Rpc { get; }

    public TransactionSender Sender { get; }

    public PrivateKey PlatformKey { get; }

    public PrivateKey PayerKey { get; }

    public PrivateKey PayeeKey { get; }

    public PrivateKey OtherKey { get; }

    public IContractTransactor Platform { get; }

    public IContractTransactor Payer { get; }

    public IContractTransactor Payee { get; }

    public IContractTransactor Other { get; }

    public ChannelContract Channels { get; private set; } = null!;

    public Erc20 Token { get; private set; } = null!;

    public static EthereumRpcClient RpcFor(EthereumDevNode node, ulong? chainId = null) =>
        new(Http, new EthereumRpcOptions { Url = node.RpcUrl, ChainId = chainId ?? node.ChainId });

    public static async Task<ChannelWorld> CreateAsync(EthereumDevNode node)
    {
        var world = new ChannelWorld(node, RpcFor(node));
        world.Channels = await ChannelContract.DeployAsync(world.Rpc, world.Platform);
        world.Token = await world.DeployTokenAsync(ContractArtifact.TestStablecoin, ["address"], world.PlatformKey.Address);
        foreach (var account in new[] { world.Payer, world.Payee, world.Other, world.Platform })
        {
            await world.Token.MintAsync(world.Platform, account.Sender, StartingTokens);
        }

        return world;
    }

    public async Task<Erc20> DeployTokenAsync(ContractArtifact artifact, IReadOnlyList<string> types, params object?[] args) =>
        new(Rpc, await TestArtifacts.DeployAsync(Platform, artifact, types, args));

    /// <summary>Approves and opens a token channel payer → payee funded by <paramref name="funder"/> (payer by default).</summary>
    public async Task<ChannelParameters> OpenAsync(BigInteger amount, IContractTransactor? funder = null, Erc20? token = null, Address? payer = null, Address? payee = null)
    {
        funder ??= Payer;
        token ??= Token;
        await token.ApproveAsync(funder, Channels.Address, amount);
        var opened = await Channels.OpenAsync(funder, payer ?? PayerKey.Address, payee ?? PayeeKey.Address, token.Address, Period, amount);
        return opened.Channel;
    }

    public async Task<ulong> LatestTimestampAsync() =>
        (await Rpc.GetBlockByNumberAsync(BlockParameter.Latest))!.Timestamp;

    /// <summary>A close agreement deadline an hour after the newest block (the agreement is valid until then).</summary>
    public async Task<ulong> CloseDeadlineAsync() => await LatestTimestampAsync() + 3600;

    /// <summary>Moves chain time past a channel's challenge period and mines a block.</summary>
    public async Task PassChallengePeriodAsync()
    {
        await Node.IncreaseTimeAsync(Period + 1);
        await Node.MineAsync();
    }

    public void Dispose()
    {
        PlatformKey.Dispose();
        PayerKey.Dispose();
        PayeeKey.Dispose();
        OtherKey.Dispose();
    }
}

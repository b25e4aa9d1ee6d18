using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Storage.Sqlite.Watchtower;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Support;

/// <summary>
/// One run of a watchtower over a <see cref="ChannelWorld"/>: its own RPC client, nonce manager and gas key (dev account
/// 4), over a SQLite store file. Disposing it and starting another on the same file is a restart.
/// </summary>
internal sealed class TowerHarness : IDisposable
{
    public const int KeyIndex = 4;

    private TowerHarness(ChannelWorld world, string storePath, WatchtowerOptions options, Func<IWatchtowerChain, IWatchtowerChain>? wrap)
    {
        Key = EthereumDevNode.DevKey(KeyIndex);
        var rpc = ChannelWorld.RpcFor(world.Node);
        var nonces = new NonceManager(rpc);
        var sender = new TransactionSender(rpc, nonces, new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        var chain = new RpcWatchtowerChain(rpc, new ChannelContract(rpc, world.Channels.Address), sender, nonces, Key);
        Chain = wrap is null ? chain : wrap(chain);
        Store = new SqliteWatchtowerStore(storePath);
        Metrics = new WatchtowerMetrics();
        Intake = new DelegationIntake(Store, Chain, Clock, Metrics);
        Follower = new WatchtowerFollower(Store, Chain, options, Clock, Metrics);
    }

    public PrivateKey Key { get; }

    public IWatchtowerChain Chain { get; }

    public SqliteWatchtowerStore Store { get; }

    public WatchtowerMetrics Metrics { get; }

    public TestClock Clock { get; } = new();

    public DelegationIntake Intake { get; }

    public WatchtowerFollower Follower { get; }

    public static TowerHarness Start(ChannelWorld world, string storePath, WatchtowerOptions? options = null, Func<IWatchtowerChain, IWatchtowerChain>? wrap = null) =>
        new(world, storePath, options ?? Options(), wrap);

    public static WatchtowerOptions Options(int confirmations = 2, int maxBlockRange = 50, bool settle = false) => new()
    {
        ChainId = EthereumDevNode.DefaultChainId,
        Contract = "0x0000000000000000000000000000000000000001",
        Confirmations = confirmations,
        MaxBlockRange = maxBlockRange,
        SettleAfterDeadline = settle,
    };

    public static DelegationRequest Request(ChannelWorld world, ChannelParameters channel, SignedVoucher voucher) =>
        new(world.Rpc.ChainId, world.Channels.Address, channel, voucher.Voucher.ChannelId, voucher.Voucher.CumulativeAmount, voucher.Signature.ToRsv());

    public static DelegationRequest Request(ChannelWorld world, ChannelParameters channel, BigInteger amount) =>
        Request(world, channel, world.Channels.SignVoucher(world.PayerKey, channel.Id, amount));

    /// <summary>Waits until the stored transaction of <paramref name="kind"/> for the channel is mined (Anvil mines a sent transaction asynchronously).</summary>
    public async Task<TransactionReceipt> MinedAsync(ChannelWorld world, ChannelId channelId, DisputeKind kind = DisputeKind.Redeem)
    {
        var stored = await Store.GetDisputeAsync(channelId, kind) ?? throw new InvalidOperationException($"No {kind} transaction stored for {channelId}.");
        return await world.Rpc.WaitForReceiptAsync(stored.TransactionHash, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
    }

    public void Dispose()
    {
        Metrics.Dispose();
        Key.Dispose();
    }
}

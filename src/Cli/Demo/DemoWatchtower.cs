using System.Globalization;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.WatchtowerService;

namespace Settlement.Cli.Demo;

/// <summary>
/// The demo's watchtower step: an ETH channel user → merchant on a second channel contract (so the settlement service's
/// books are untouched); the merchant delegates its newest voucher to the watchtower service, which is then stopped; the
/// user closes with a stale state; the watchtower restarts, catches up from its checkpoint, redeems the newest voucher
/// before the deadline and settles after it. Chain time is moved with <c>evm_increaseTime</c> (a dev node only).
/// </summary>
internal static class DemoWatchtower
{
    private const uint Period = 3600;
    private const int MissedBlocks = 50;
    /// <summary>The disputed channel's deposit, in wei.</summary>
    public static readonly BigInteger Deposit = 1_000_000;
    private static readonly BigInteger Stale = 500_000;
    private static readonly BigInteger Newest = 900_000;

    public static async Task<WatchtowerDemoResult> RunAsync(
        EthereumRpcClient rpc, Uri rpcUrl, PrivateKey userKey, PrivateKey merchantKey, PrivateKey platformKey, PrivateKey towerKey,
        string stateDir, Action<string> say, CancellationToken ct, Action<Uri>? started = null)
    {
        // Its own nonce manager: the earlier steps sent from these accounts through other senders.
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(10) });
        var user = new SignedTransactor(sender, userKey);
        var platform = new SignedTransactor(sender, platformKey);
        var channels = await ChannelContract.DeployAsync(rpc, platform, ct).ConfigureAwait(false);
        var opened = await channels.OpenAsync(user, userKey.Address, merchantKey.Address, Address.Zero, Period, Deposit, ct).ConfigureAwait(false);
        var c = opened.Channel;
        var merchantBefore = await rpc.GetBalanceAsync(merchantKey.Address, null, ct).ConfigureAwait(false);

        // The merchant's 500,000 voucher is redeemed (sent by the platform as a relayer: redeem pays the payee whoever sends it).
        await channels.RedeemAsync(platform, c, channels.SignVoucher(userKey, c.Id, Stale), ct).ConfigureAwait(false);
        var newest = channels.SignVoucher(userKey, c.Id, Newest);
        var options = new WatchtowerServiceOptions
        {
            Database = Path.Combine(stateDir, "watchtower.db"),
            RpcUrl = rpcUrl,
            Watchtower = new WatchtowerOptions
            {
                ChainId = rpc.ChainId, Contract = channels.Address.ToString(), Confirmations = 2, PollInterval = TimeSpan.FromHours(1), SettleAfterDeadline = true,
            },
        };
        await using (var tower = await WatchtowerServiceHost.StartAsync(options, towerKey, cancellationToken: ct).ConfigureAwait(false))
        {
            started?.Invoke(tower.BaseUrl);
            using var http = new HttpClient { BaseAddress = tower.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
            using var content = new ByteArrayContent(DelegationJson.Encode(rpc.ChainId, channels.Address, c, VoucherFrame.FromSignedVoucher(newest)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri("delegations", UriKind.Relative), content, ct).ConfigureAwait(false);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            if (answer?["outcome"]?.GetValue<string>() != "accepted")
            {
                throw new DemoStepException("watchtower", $"POST /delegations answered {(int)response.StatusCode}: {answer?.ToJsonString()}");
            }

            await tower.Follower.PollOnceAsync(ct).ConfigureAwait(false);
            say($"channel {c.Id} (ETH, deposit {Deposit} wei, on a second SettlementChannels at {channels.Address}): {Stale} wei redeemed; the merchant's payee delegated its newest voucher ({Newest} wei) to the watchtower at {tower.BaseUrl}; the watchtower stops");
        }

        // The user closes with the stale state while the watchtower is down; blocks and ten minutes pass.
        await channels.StartCloseAsync(user, c, ct).ConfigureAwait(false);
        await rpc.RequestAsync("evm_increaseTime", [JsonValue.Create(600)], ct).ConfigureAwait(false);
        await rpc.RequestAsync("anvil_mine", [JsonValue.Create("0x" + MissedBlocks.ToString("x", CultureInfo.InvariantCulture))], ct).ConfigureAwait(false);
        var deadline = (await channels.GetStateAsync(c.Id, null, ct).ConfigureAwait(false)).CloseDeadline;

        await using var restarted = await WatchtowerServiceHost.StartAsync(options, towerKey, cancellationToken: ct).ConfigureAwait(false);
        started?.Invoke(restarted.BaseUrl);
        // The hosted follower polls at start; this poll waits for it (one poll at a time) and makes sure it has run.
        await restarted.Follower.PollOnceAsync(ct).ConfigureAwait(false);
        var caughtUp = (ulong)restarted.Metrics.Snapshot()["blocksScanned"];
        var redeem = await MinedAsync(rpc, restarted, c, DisputeKind.Redeem, ct).ConfigureAwait(false);
        var redeemBlock = await rpc.GetBlockByNumberAsync(redeem.BlockNumber, ct).ConfigureAwait(false);
        say($"the user started a close with the stale state ({Stale} wei); {MissedBlocks} blocks and 10 minutes later the watchtower restarts, catches up {caughtUp} blocks from its checkpoint and redeems {Newest} wei in block {redeem.BlockNumber} ({redeem.GasUsed} gas), {deadline - redeemBlock!.Timestamp} s before the deadline");

        await rpc.RequestAsync("evm_increaseTime", [JsonValue.Create(Period + 1)], ct).ConfigureAwait(false);
        await rpc.RequestAsync("evm_mine", [], ct).ConfigureAwait(false);
        await restarted.Follower.PollOnceAsync(ct).ConfigureAwait(false);
        var settle = await MinedAsync(rpc, restarted, c, DisputeKind.Settle, ct).ConfigureAwait(false);
        var settled = channels.DecodeEvents(settle.Logs).OfType<ChannelSettledEvent>().Single();
        var merchantReceived = await rpc.GetBalanceAsync(merchantKey.Address, null, ct).ConfigureAwait(false) - merchantBefore;
        var escrow = await rpc.GetBalanceAsync(channels.Address, null, ct).ConfigureAwait(false);
        var alerts = await restarted.Store.ListAlertsAsync(ct).ConfigureAwait(false);
        say($"after the deadline the watchtower settled: the merchant received {merchantReceived} wei in total (it sent no transaction), the user got {settled.ToPayer} wei back; {alerts.Count} alerts");
        return new WatchtowerDemoResult(
            c.Id.ToString(), Stale, Newest, MissedBlocks, caughtUp, redeemBlock.Timestamp, deadline, merchantReceived, settled.ToPayer, escrow, alerts.Count);
    }

    private static async Task<TransactionReceipt> MinedAsync(EthereumRpcClient rpc, WatchtowerServiceHost tower, ChannelParameters c, DisputeKind kind, CancellationToken ct)
    {
        var stored = await tower.Store.GetDisputeAsync(c.Id, kind, ct).ConfigureAwait(false)
            ?? throw new DemoStepException("watchtower", $"the watchtower sent no {kind} for channel {c.Id}");
        var receipt = await rpc.WaitForReceiptAsync(stored.TransactionHash, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10), ct).ConfigureAwait(false);
        return receipt.Succeeded ? receipt : throw new DemoStepException("watchtower", $"the watchtower's {kind} reverted");
    }
}

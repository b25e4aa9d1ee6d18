using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.DevChain;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Tests.Settle;

/// <summary><c>l2pay settle index</c> against a real Anvil node: catch up, a reorg on the next run, bad arguments.</summary>
public sealed class IndexVerbTests : IAsyncLifetime
{
    // Anvil's default development accounts 0–2 (the well-known test mnemonic).
    private const string PlatformKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string PayerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private const string PayeeKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-index-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new();
    private AnvilProcess? _anvil;

    private string Db => Path.Combine(_dir, "ledger.db");

    private AnvilProcess Anvil => _anvil ?? throw new InvalidOperationException("Anvil not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _anvil = await AnvilProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_anvil is not null)
        {
            await _anvil.DisposeAsync();
        }

        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(string Contract, string Token, ulong Start, ChannelContract Channels, ChannelParameters Channel)> DeployAndOpenAsync()
    {
        var rpc = new EthereumRpcClient(_http, new EthereumRpcOptions { Url = Anvil.RpcUrl, ChainId = Anvil.ChainId });
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        using var platformKey = PrivateKey.ParseHex(PlatformKey);
        using var payerKey = PrivateKey.ParseHex(PayerKey);
        using var payeeKey = PrivateKey.ParseHex(PayeeKey);
        var platform = new SignedTransactor(sender, platformKey);
        var payer = new SignedTransactor(sender, payerKey);
        var payee = new SignedTransactor(sender, payeeKey);
        var start = await rpc.GetBlockNumberAsync() + 1;
        var channels = await ChannelContract.DeployAsync(rpc, platform);
        var token = await StablecoinContract.DeployAsync(rpc, platform, platformKey.Address);
        await token.MintAsync(platform, payerKey.Address, 10_000);
        await token.ApproveAsync(payer, channels.Address, 10_000);
        var opened = await channels.OpenAsync(payer, payerKey.Address, payeeKey.Address, token.Address, 3600, 10_000);
        await channels.RedeemAsync(payee, opened.Channel, channels.SignVoucher(payerKey, opened.ChannelId, 2_500));
        return (channels.Address.ToString(), token.Address.ToString(), start, channels, opened.Channel);
    }

    private Task<CliRun> IndexAsync(string contract, string token, ulong start) =>
        L2pay.RunAsync("settle", "index", "--rpc-url", Anvil.RpcUrl.ToString(), "--contract", contract, "--token", token,
            "--db", Db, "--start-block", start.ToString(System.Globalization.CultureInfo.InvariantCulture), "--confirmations", "0", "--progress");

    [Fact]
    public async Task Index_CaughtUpThenAReorg_PrintsOneJsonObjectEachRun()
    {
        var (contract, token, start, _, _) = await DeployAndOpenAsync();

        var first = await IndexAsync(contract, token, start);

        first.ExitCode.ShouldBe(0, first.Stderr);
        var json = JsonDocument.Parse(first.Stdout).RootElement;
        json.GetProperty("eventsBooked").GetInt64().ShouldBe(5, "the mint, the open and its token transfer, the redeem and its token transfer (approvals are not booked)");
        json.GetProperty("reorgsHandled").GetInt64().ShouldBe(0);
        var head = json.GetProperty("head").GetUInt64();
        json.GetProperty("checkpoint").GetProperty("block").GetUInt64().ShouldBe(head);
        first.Stderr.ShouldContain("\"eventsBooked\":");

        using (var reorg = await _http.PostAsJsonAsync(Anvil.RpcUrl, new { jsonrpc = "2.0", id = 1, method = "anvil_reorg", @params = new object[] { 1, Array.Empty<object>() } }))
        {
            reorg.EnsureSuccessStatusCode();
        }

        var second = await IndexAsync(contract, token, start);

        second.ExitCode.ShouldBe(0, second.Stderr);
        var after = JsonDocument.Parse(second.Stdout).RootElement;
        after.GetProperty("reorgsHandled").GetInt64().ShouldBe(1);
        after.GetProperty("eventsReversed").GetInt64().ShouldBe(2, "the redeem's event and its token transfer");
        after.GetProperty("checkpoint").GetProperty("reorgs").GetInt64().ShouldBe(1);
        after.GetProperty("checkpoint").GetProperty("eventsBooked").GetInt64().ShouldBe(3);

        var verify = await L2pay.RunAsync("settle", "verify-journal", "--db", Db);
        verify.ExitCode.ShouldBe(0, verify.Stdout);
        var ledger = JsonDocument.Parse((await L2pay.RunAsync("settle", "ledger", "--db", Db)).Stdout).RootElement;
        ledger.GetProperty("totals").EnumerateArray().ShouldAllBe(t => t.GetProperty("balanced").GetBoolean());
    }

    [Fact]
    public async Task Index_KilledMidRun_RestartEndsWhereAFreshIndexDoes()
    {
        var (contract, token, start, channels, channel) = await DeployAndOpenAsync();
        var rpc = new EthereumRpcClient(_http, new EthereumRpcOptions { Url = Anvil.RpcUrl, ChainId = Anvil.ChainId });
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        using (var payerKey = PrivateKey.ParseHex(PayerKey))
        using (var payeeKey = PrivateKey.ParseHex(PayeeKey))
        {
            var payee = new SignedTransactor(sender, payeeKey);
            for (var i = 1; i <= 40; i++)
            {
                await channels.RedeemBatchAsync(payee, channel.Token, [(channel, channels.SignVoucher(payerKey, channel.Id, 2_500 + (i * 10)))]);
            }
        }

        string[] Args(string db, params string[] extra) =>
        [
            "settle", "index", "--rpc-url", Anvil.RpcUrl.ToString(), "--contract", contract, "--token", token, "--db", db,
            "--start-block", start.ToString(System.Globalization.CultureInfo.InvariantCulture), "--confirmations", "0", "--max-range", "2", .. extra,
        ];

        // SIGKILL while it books two blocks per transaction: no chance to finish a batch, flush or say goodbye.
        using (var process = L2pay.Start(new Dictionary<string, string?>(), Args(Db, "--follow", "--progress")))
        {
            var seen = 0;
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                if (line.Contains("\"blocksIndexed\"", StringComparison.Ordinal) && ++seen == 5)
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }
            }

            await process.WaitForExitAsync();
            seen.ShouldBe(5, "the follower reported progress before the kill");
        }

        var resumed = await L2pay.RunAsync(Args(Db));
        resumed.ExitCode.ShouldBe(0, resumed.Stderr);
        JsonDocument.Parse(resumed.Stdout).RootElement.GetProperty("reorgsHandled").GetInt64().ShouldBe(0);
        var freshDb = Path.Combine(_dir, "fresh.db");
        (await L2pay.RunAsync(Args(freshDb))).ExitCode.ShouldBe(0);

        (await L2pay.RunAsync("settle", "verify-journal", "--db", Db)).ExitCode.ShouldBe(0);
        Balances((await L2pay.RunAsync("settle", "ledger", "--db", Db)).Stdout)
            .ShouldBe(Balances((await L2pay.RunAsync("settle", "ledger", "--db", freshDb)).Stdout));

        static List<string> Balances(string json) =>
            JsonDocument.Parse(json).RootElement.GetProperty("accounts").EnumerateArray()
                .Select(a => $"{a.GetProperty("id").GetString()}:{a.GetProperty("debitsPosted").GetString()}/{a.GetProperty("creditsPosted").GetString()}")
                .ToList();
    }

    [Fact]
    public async Task Index_BadAddress_UsageErrorAndNoDatabase()
    {
        var run = await L2pay.RunAsync("settle", "index", "--rpc-url", Anvil.RpcUrl.ToString(), "--contract", "0x12", "--token", "0x34", "--db", Db);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("--contract and --token must be 20-byte");
        File.Exists(Db).ShouldBeFalse();
    }
}

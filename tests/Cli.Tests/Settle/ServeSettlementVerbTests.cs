using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.DevChain;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Tests.Settle;

/// <summary>
/// <c>l2pay serve settlement</c> as a child process against a real Anvil node: the ready line, <c>/health</c> with the
/// follower's checkpoint, JSON logs on stderr, SIGTERM → a graceful stop with exit code 0; and usage errors.
/// </summary>
public sealed class ServeSettlementVerbTests : IAsyncLifetime
{
    // Anvil's default development accounts 0 and 1 (the well-known test mnemonic).
    private const string PlatformKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string PayerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-serve-settlement-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new();
    private AnvilProcess? _anvil;

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

    [Fact]
    public async Task Serve_ReadyLineHealthThenSigterm_BooksTheChannelAndStopsGracefullyWithExitCode0()
    {
        var rpc = new EthereumRpcClient(_http, new EthereumRpcOptions { Url = Anvil.RpcUrl, ChainId = Anvil.ChainId });
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });
        using var platformKey = PrivateKey.ParseHex(PlatformKey);
        using var payerKey = PrivateKey.ParseHex(PayerKey);
        var platform = new SignedTransactor(sender, platformKey);
        var payer = new SignedTransactor(sender, payerKey);
        var start = await rpc.GetBlockNumberAsync() + 1;
        var channels = await ChannelContract.DeployAsync(rpc, platform);
        var token = await StablecoinContract.DeployAsync(rpc, platform, platformKey.Address);
        await token.MintAsync(platform, payerKey.Address, 10_000);
        await token.ApproveAsync(payer, channels.Address, 10_000);
        await channels.OpenAsync(payer, payerKey.Address, platformKey.Address, token.Address, 3600, 10_000);
        var head = await rpc.GetBlockNumberAsync();

        using var process = L2pay.Start(
            new Dictionary<string, string?>(),
            "serve", "settlement", "--db", Path.Combine(_dir, "ledger.db"), "--rpc-url", Anvil.RpcUrl.ToString(),
            "--contract", channels.Address.ToString(), "--token", token.Address.ToString(),
            "--start-block", start.ToString(CultureInfo.InvariantCulture), "--confirmations", "0", "--port", "0", "--poll-interval", "0.05");
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Patience);
        try
        {
            var ready = await process.StandardOutput.ReadLineAsync(guard.Token);
            ready.ShouldNotBeNull($"no ready line; stderr: {(process.HasExited ? await stderr : "")}");
            using var line = JsonDocument.Parse(ready);
            var baseUrl = new Uri(line.RootElement.GetProperty("baseUrl").GetString()!);
            baseUrl.Host.ShouldBe("127.0.0.1");
            line.RootElement.GetProperty("healthUrl").GetString().ShouldBe(new Uri(baseUrl, "health").ToString());
            line.RootElement.GetProperty("chainId").GetString().ShouldBe(Anvil.ChainId.ToString(CultureInfo.InvariantCulture));

            JsonElement health;
            while (true)
            {
                using var response = await _http.GetAsync(new Uri(baseUrl, "health"), guard.Token);
                health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(guard.Token)).RootElement.Clone();
                if (response.StatusCode == HttpStatusCode.OK
                    && health.GetProperty("indexer").GetProperty("checkpoint") is { ValueKind: JsonValueKind.Object } checkpoint
                    && checkpoint.GetProperty("block").GetUInt64() >= head)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
            }

            health.GetProperty("indexer").GetProperty("checkpoint").GetProperty("eventsBooked").GetInt64()
                .ShouldBe(3, "the mint, the open and its token transfer (approvals are not booked)");

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(guard.Token);
            }

            await process.WaitForExitAsync(guard.Token);
            var logs = await stderr;
            process.ExitCode.ShouldBe(0, logs);
            (await process.StandardOutput.ReadToEndAsync(guard.Token)).ShouldBeEmpty("one JSON line on stdout, nothing after it");
            var entries = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            entries.ShouldContain(e => e.GetProperty("EventId").GetInt32() == 4106, "the follower stopped after its last poll");
            entries.ShouldNotContain(e => e.GetProperty("EventId").GetInt32() == 4105, "no poll was cut short");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData(new[] { "--contract", "0x12", "--token", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" }, "--contract and --token must be 20-byte 0x-hex addresses")]
    [InlineData(new[] { "--no-indexer", "--shutdown-timeout", "100" }, "--shutdown-timeout must be in (0, 25]")]
    [InlineData(new[] { "--no-indexer", "--port", "70000" }, "Settlement:Service:Port:")]
    [InlineData(new[] { "--no-indexer", "--bank-config", "/nonexistent/bank.json" }, "Settlement:Service:OpenBankingConfigPath: file '/nonexistent/bank.json' does not exist.")]
    public async Task Serve_BadFlag_UsageErrorNamingIt_NothingCreated(string[] flags, string message)
    {
        var db = Path.Combine(_dir, "refused.db");

        var run = await L2pay.RunAsync(["serve", "settlement", "--db", db, "--rpc-url", "http://127.0.0.1:1/", .. flags]);

        run.ExitCode.ShouldBe(2, run.Stderr);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain(message);
        File.Exists(db).ShouldBeFalse();
    }

    [Fact]
    public async Task Serve_NodeUnreachableWithoutChainId_Exit1SayingGiveChainId_NothingCreated()
    {
        var db = Path.Combine(_dir, "unreached.db");

        var run = await L2pay.RunAsync(
            "serve", "settlement", "--db", db, "--rpc-url", "http://127.0.0.1:1/", "--port", "0",
            "--contract", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--token", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

        run.ExitCode.ShouldBe(1, run.Stderr);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("reading the chain id from http://127.0.0.1:1/ failed");
        run.Stderr.ShouldContain("give --chain-id");
        File.Exists(db).ShouldBeFalse();
    }
}

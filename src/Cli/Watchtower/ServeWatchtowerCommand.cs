using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Rpc;
using Settlement.WatchtowerService;

namespace Settlement.Cli.Watchtower;

/// <summary>
/// <c>l2pay serve watchtower</c>: runs the watchtower service (docs/watchtower.md) on 127.0.0.1 until Ctrl+C or
/// SIGTERM. Prints one JSON line with its URL once it listens; structured logs go to stderr. The key file pays the
/// watchtower's gas only: what it sends (<c>redeem</c>, <c>settle</c>) pays the channels' parties.
/// </summary>
internal static class ServeWatchtowerCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "SQLite file of delegations, checkpoint, transactions and alerts", DefaultValueFactory = _ => "watchtower.db" };
        var rpcUrl = new Option<string>("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var contract = new Option<string>("--contract") { Description = "SettlementChannels contract address", Required = true };
        var keyFile = new Option<string>("--key-file") { Description = "Key file or keystore of the account that pays the watchtower's gas", Required = true };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = a free port)", DefaultValueFactory = _ => 7090 };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks that must follow a block before its events are read", DefaultValueFactory = _ => 2 };
        var pollMs = new Option<int>("--poll-ms") { Description = "Milliseconds between two polls of the chain", DefaultValueFactory = _ => 2000 };
        var maxRange = new Option<int>("--max-block-range") { Description = "Most blocks per eth_getLogs while catching up", DefaultValueFactory = _ => 2000 };
        var marginSeconds = new Option<int>("--safety-margin-seconds") { Description = "Time wanted before a close deadline; a close answered later raises a lateDispute alert", DefaultValueFactory = _ => 600 };
        var settle = new Option<bool>("--settle") { Description = "Settle guarded channels after their deadline" };
        var startBlock = new Option<ulong?>("--start-block") { Description = "First block to read when the database has no checkpoint (default: the confirmed head)" };
        var command = new Command("watchtower", "Run the watchtower: guard delegated channels, redeem the newest voucher when a close starts, catch up after downtime")
        {
            db, rpcUrl, contract, keyFile, port, confirmations, pollMs, maxRange, marginSeconds, settle, startBlock,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!Address.TryParse(parse.GetValue(contract), out var contractAddress))
            {
                return CliOutput.Fail("--contract must be a 20-byte hex address.", CliOutput.Usage);
            }

            var rpc = new Uri(parse.GetValue(rpcUrl)!);
            ulong chainId;
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                chainId = await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpc }).GetChainIdAsync(ct).ConfigureAwait(false);
            }

            var options = new WatchtowerServiceOptions
            {
                Port = parse.GetValue(port),
                Database = parse.GetValue(db)!,
                RpcUrl = rpc,
                Watchtower = new WatchtowerOptions
                {
                    ChainId = chainId,
                    Contract = contractAddress.ToString(),
                    Confirmations = parse.GetValue(confirmations),
                    PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(pollMs)),
                    MaxBlockRange = parse.GetValue(maxRange),
                    SafetyMargin = TimeSpan.FromSeconds(parse.GetValue(marginSeconds)),
                    SettleAfterDeadline = parse.GetValue(settle),
                    StartBlock = parse.GetValue(startBlock),
                },
            };
            try
            {
                options.ThrowIfInvalid();
            }
            catch (ArgumentException ex)
            {
                return CliOutput.Fail(ex.Message, CliOutput.Usage);
            }

            using var key = KeyFile.Load(parse.GetValue(keyFile)!, KeystorePassword.ForReading);
            await using var host = await WatchtowerServiceHost.StartAsync(
                options,
                key,
                logging => logging
                    .SetMinimumLevel(LogLevel.Information)
                    .AddJsonConsole(json =>
                    {
                        json.UseUtcTimestamp = true;
                        json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    })
                    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
                    .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
                ct).ConfigureAwait(false);
            CliOutput.WriteObject(
                ("baseUrl", host.BaseUrl.ToString()),
                ("delegationsUrl", new Uri(host.BaseUrl, "delegations").ToString()),
                ("chainId", chainId.ToString(CultureInfo.InvariantCulture)),
                ("contract", contractAddress.ToString()),
                ("sender", key.Address.ToString()),
                ("database", Path.GetFullPath(options.Database)));
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: disposing the host stops the follower; the next start resumes from the checkpoint.
            }

            return 0;
        }));
        return command;
    }
}

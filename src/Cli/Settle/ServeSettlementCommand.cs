using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.SettlementService;

namespace Settlement.Cli.Settle;

/// <summary>
/// <c>l2pay serve settlement</c>: runs the settlement service (docs/settlement-service.md) on 127.0.0.1 until Ctrl+C or
/// SIGTERM: the ledger, the chain indexer follower, pending-transfer expiry and, with <c>--bank-config</c>, the
/// open-banking resume worker and event-notification webhook. Prints one JSON line with its URLs once it listens;
/// structured logs (JSON, one object per line) go to stderr. Exit codes: 0 after a graceful stop, 1 when it cannot
/// start (database, chain node), 2 for a usage error (a bad flag or setting, named).
/// </summary>
internal static class ServeSettlementCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The ledger database: SQLite file (created if missing) or PostgreSQL connection string", DefaultValueFactory = _ => "settlement.db" };
        var rpcUrl = new Option<string>("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var contract = new Option<string?>("--contract") { Description = "The channel contract's address (required unless --no-indexer)" };
        var token = new Option<string?>("--token") { Description = "The stablecoin's address (required unless --no-indexer)" };
        var chainId = new Option<ulong?>("--chain-id") { Description = "The chain id the node must serve (default: what it reports at start)" };
        var startBlock = new Option<ulong>("--start-block") { Description = "First block when the ledger has no checkpoint (the contracts' deployment block)" };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks on top before a block is booked", DefaultValueFactory = _ => 12 };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = a free port)", DefaultValueFactory = _ => 7080 };
        var bankConfig = new Option<string?>("--bank-config") { Description = "JSON file with an OpenBanking section: runs the transfer resume worker and the event-notification webhook" };
        var noIndexer = new Option<bool>("--no-indexer") { Description = "Do not follow the chain (ledger, expiry and bank only)" };
        var pollInterval = new Option<double>("--poll-interval") { Description = "Seconds the indexer waits after catching up", DefaultValueFactory = _ => 2 };
        var maxLag = new Option<long>("--max-lag") { Description = "/health answers 503 when the indexer is more than this many confirmed blocks behind (0 = never)" };
        var shutdownTimeout = new Option<double>("--shutdown-timeout") { Description = $"Seconds a graceful stop may take (at most {MaxShutdownSeconds})", DefaultValueFactory = _ => 15 };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Minimum level of the logs on stderr", DefaultValueFactory = _ => LogLevel.Information };
        var logFormat = new Option<string>("--log-format") { Description = "Logs on stderr: json (one object per line) or text", DefaultValueFactory = _ => "json" };
        logFormat.AcceptOnlyFromAmong("json", "text");
        var command = new Command("settlement", "Run the settlement service: ledger, chain indexer, pending-transfer expiry, open-banking webhook; /health and /metrics/prometheus")
        {
            db, rpcUrl, contract, token, chainId, startBlock, confirmations, port, bankConfig, noIndexer, pollInterval, maxLag, shutdownTimeout, logLevel, logFormat,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var indexing = !parse.GetValue(noIndexer);
            if (!Uri.TryCreate(parse.GetValue(rpcUrl), UriKind.Absolute, out var rpc))
            {
                return CliOutput.Fail("--rpc-url must be an absolute http(s) URL", CliOutput.Usage);
            }

            if (indexing && (!Address.TryParse(parse.GetValue(contract), out _) || !Address.TryParse(parse.GetValue(token), out _)))
            {
                return CliOutput.Fail("--contract and --token must be 20-byte 0x-hex addresses (or give --no-indexer)", CliOutput.Usage);
            }

            var shutdown = parse.GetValue(shutdownTimeout);
            if (shutdown is <= 0 or > MaxShutdownSeconds || parse.GetValue(pollInterval) is <= 0 or > 3600)
            {
                return CliOutput.Fail($"--shutdown-timeout must be in (0, {MaxShutdownSeconds}] and --poll-interval in (0, 3600] seconds", CliOutput.Usage);
            }

            var options = new SettlementServiceOptions
            {
                Port = parse.GetValue(port),
                Database = parse.GetValue(db)!,
                IndexerEnabled = indexing,
                RpcUrl = rpc,
                ChainId = parse.GetValue(chainId) ?? 1,
                Contract = parse.GetValue(contract),
                Token = parse.GetValue(token),
                StartBlock = parse.GetValue(startBlock),
                Confirmations = parse.GetValue(confirmations),
                IndexerPollInterval = TimeSpan.FromSeconds(parse.GetValue(pollInterval)),
                MaxLagBlocks = parse.GetValue(maxLag),
                OpenBankingConfigPath = parse.GetValue(bankConfig),
                ShutdownTimeout = TimeSpan.FromSeconds(shutdown),
            };
            try
            {
                options.ThrowIfInvalid();
            }
            catch (ArgumentException ex)
            {
                return CliOutput.Fail(ex.Message, CliOutput.Usage);
            }

            if (indexing && parse.GetValue(chainId) is null)
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                try
                {
                    options.ChainId = await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpc, ChainId = 1 }).GetChainIdAsync(ct).ConfigureAwait(false);
                }
                catch (JsonRpcException ex)
                {
                    return CliOutput.Fail($"reading the chain id from {rpc} failed ({ex.Message}); give --chain-id to start without the node");
                }
            }

            SettlementServiceHost host;
            try
            {
                // The settlement flows and payout schedule plug in here: configureServices: s => s.AddSettlementFlows(…).
                host = await SettlementServiceHost.StartAsync(options, configureServices: null, logging => ConfigureLogging(logging, parse.GetValue(logLevel), parse.GetValue(logFormat) == "json"), ct).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                return CliOutput.Fail(ex.Message, CliOutput.Usage);
            }
            catch (DbException ex)
            {
                return CliOutput.Fail("the ledger database could not be opened: " + ex.Message);
            }

            await using (host.ConfigureAwait(false))
            {
                CliOutput.WriteObject(w =>
                {
                    w.WriteString("baseUrl", host.BaseUrl.ToString());
                    w.WriteString("healthUrl", new Uri(host.BaseUrl, "health").ToString());
                    w.WriteString("metricsUrl", new Uri(host.BaseUrl, "metrics/prometheus").ToString());
                    if (options.OpenBankingConfigPath is not null)
                    {
                        w.WriteString("eventNotificationsUrl", new Uri(host.BaseUrl, "open-banking/{bank}/event-notifications").ToString());
                    }

                    w.WriteBoolean("indexer", indexing);
                    w.WriteString("chainId", options.ChainId.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("contract", options.Contract);
                    w.WriteString("token", options.Token);
                    w.WriteString("database", options.IsPostgreSql ? "postgresql" : Path.GetFullPath(options.Database));
                });
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: disposing the host stops taking requests and lets the current poll finish.
                }

                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The longest graceful stop; below the CLI's process-termination timeout (Program.cs), after which the process
    /// exits whatever is still running.
    /// </summary>
    public const double MaxShutdownSeconds = 25;

    private static void ConfigureLogging(ILoggingBuilder logging, LogLevel level, bool json)
    {
        // Logs on stderr (structured: one JSON object per line by default); stdout keeps the one JSON line of the CLI convention.
        logging.SetMinimumLevel(level).AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

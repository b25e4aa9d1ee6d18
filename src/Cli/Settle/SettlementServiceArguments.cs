using System.CommandLine;
using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Service.Flows;
using Settlement.SettlementService;
using Settlement.SettlementService.Flows;

namespace Settlement.Cli.Settle;

/// <summary>
/// The flags that configure a settlement service, shared by <c>l2pay serve settlement</c> (runs it until stopped) and
/// <c>l2pay settle run | payouts</c> (start it, do one thing, stop). With <c>--platform-keystore</c> (password from
/// <c>L2PAY_KEYSTORE_PASSWORD</c>) and <c>--bank-config</c> the platform's flows run too: top-ups that fund channels and
/// merchant payouts (<c>--payouts-config</c>: a JSON file with a <c>Settlement:Payouts</c> section).
/// </summary>
internal sealed class SettlementServiceArguments
{
    /// <summary>The longest graceful stop; below the CLI's process-termination timeout (Program.cs).</summary>
    public const double MaxShutdownSeconds = 25;

    public SettlementServiceArguments(int defaultPort)
    {
        Port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = a free port)", DefaultValueFactory = _ => defaultPort };
    }

    public Option<string> Db { get; } = new("--db") { Description = "The ledger database: SQLite file (created if missing) or PostgreSQL connection string", DefaultValueFactory = _ => "settlement.db" };

    public Option<string> RpcUrl { get; } = new("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };

    public Option<string?> Contract { get; } = new("--contract") { Description = "The channel contract's address (required unless --no-indexer)" };

    public Option<string?> Token { get; } = new("--token") { Description = "The stablecoin's address (required unless --no-indexer)" };

    public Option<ulong?> ChainId { get; } = new("--chain-id") { Description = "The chain id the node must serve (default: what it reports at start)" };

    public Option<ulong> StartBlock { get; } = new("--start-block") { Description = "First block when the ledger has no checkpoint (the contracts' deployment block)" };

    public Option<int> Confirmations { get; } = new("--confirmations") { Description = "Blocks on top before a block is booked", DefaultValueFactory = _ => 12 };

    public Option<int> Port { get; }

    public Option<string?> BankConfig { get; } = new("--bank-config") { Description = "JSON file with an OpenBanking section: runs the transfer resume worker and the event-notification webhook" };

    public Option<bool> NoIndexer { get; } = new("--no-indexer") { Description = "Do not follow the chain (ledger, expiry and bank only)" };

    public Option<double> PollInterval { get; } = new("--poll-interval") { Description = "Seconds the indexer waits after catching up", DefaultValueFactory = _ => 2 };

    public Option<long> MaxLag { get; } = new("--max-lag") { Description = "/health answers 503 when the indexer is more than this many confirmed blocks behind (0 = never)" };

    public Option<double> ShutdownTimeout { get; } = new("--shutdown-timeout") { Description = $"Seconds a graceful stop may take (at most {MaxShutdownSeconds})", DefaultValueFactory = _ => 15 };

    public Option<string?> PlatformKeystore { get; } = new("--platform-keystore") { Description = "The platform's keystore (the stablecoin's owner; password from L2PAY_KEYSTORE_PASSWORD): runs the top-up and payout flows (needs --bank-config)" };

    public Option<string?> PayoutsConfig { get; } = new("--payouts-config") { Description = "JSON file with a Settlement:Payouts section (merchants, minimum, fee, interval) for the flows" };

    public Option<uint> ChallengePeriod { get; } = new("--challenge-period") { Description = "Challenge period in seconds of the channels the platform opens for users", DefaultValueFactory = _ => 24 * 3600 };

    public Option<string?> ChainOutbox { get; } = new("--chain-outbox") { Description = "SQLite file of the platform's signed transactions (default: the ledger's file; required with PostgreSQL)" };

    public IEnumerable<Option> All =>
    [
        Db, RpcUrl, Contract, Token, ChainId, StartBlock, Confirmations, Port, BankConfig, NoIndexer, PollInterval, MaxLag, ShutdownTimeout,
        PlatformKeystore, PayoutsConfig, ChallengePeriod, ChainOutbox,
    ];

    /// <summary>
    /// Validates the flags, reads the chain id from the node when not given, loads the platform key when asked and starts
    /// the host. On failure returns the exit code (2 usage, 1 cannot start) with a line on stderr, and no host.
    /// </summary>
    public async Task<(SettlementServiceHost? Host, PrivateKey? PlatformKey, SettlementServiceOptions? Options, int Exit)> StartAsync(
        ParseResult parse, Action<ILoggingBuilder> logging, CancellationToken ct)
    {
        var indexing = !parse.GetValue(NoIndexer);
        if (!Uri.TryCreate(parse.GetValue(RpcUrl), UriKind.Absolute, out var rpc))
        {
            return Fail("--rpc-url must be an absolute http(s) URL", CliOutput.Usage);
        }

        if (indexing && (!Address.TryParse(parse.GetValue(Contract), out _) || !Address.TryParse(parse.GetValue(Token), out _)))
        {
            return Fail("--contract and --token must be 20-byte 0x-hex addresses (or give --no-indexer)", CliOutput.Usage);
        }

        var shutdown = parse.GetValue(ShutdownTimeout);
        if (shutdown is <= 0 or > MaxShutdownSeconds || parse.GetValue(PollInterval) is <= 0 or > 3600)
        {
            return Fail($"--shutdown-timeout must be in (0, {MaxShutdownSeconds}] and --poll-interval in (0, 3600] seconds", CliOutput.Usage);
        }

        var keystore = parse.GetValue(PlatformKeystore);
        if (keystore is not null && (!indexing || parse.GetValue(BankConfig) is null))
        {
            return Fail("--platform-keystore runs the flows, which need the indexer and --bank-config", CliOutput.Usage);
        }

        if (keystore is null && parse.GetValue(PayoutsConfig) is not null)
        {
            return Fail("--payouts-config configures the flows: give --platform-keystore too", CliOutput.Usage);
        }

        var options = new SettlementServiceOptions
        {
            Port = parse.GetValue(Port),
            Database = parse.GetValue(Db)!,
            IndexerEnabled = indexing,
            RpcUrl = rpc,
            ChainId = parse.GetValue(ChainId) ?? 1,
            Contract = parse.GetValue(Contract),
            Token = parse.GetValue(Token),
            StartBlock = parse.GetValue(StartBlock),
            Confirmations = parse.GetValue(Confirmations),
            IndexerPollInterval = TimeSpan.FromSeconds(parse.GetValue(PollInterval)),
            MaxLagBlocks = parse.GetValue(MaxLag),
            OpenBankingConfigPath = parse.GetValue(BankConfig),
            ShutdownTimeout = TimeSpan.FromSeconds(shutdown),
        };
        try
        {
            options.ThrowIfInvalid();
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message, CliOutput.Usage);
        }

        if (indexing && parse.GetValue(ChainId) is null)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                options.ChainId = await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpc, ChainId = 1 }).GetChainIdAsync(ct).ConfigureAwait(false);
            }
            catch (JsonRpcException ex)
            {
                return Fail($"reading the chain id from {rpc} failed ({ex.Message}); give --chain-id to start without the node", 1);
            }
        }

        var payoutsPath = parse.GetValue(PayoutsConfig);
        if (payoutsPath is not null && !File.Exists(payoutsPath))
        {
            return Fail($"--payouts-config: no file '{payoutsPath}'", CliOutput.Usage);
        }

        PrivateKey? key = null;
        try
        {
            key = keystore is null ? null : KeyFile.Load(keystore, KeystorePassword.ForReading);
        }
        catch (KeystoreException ex)
        {
            return Fail($"--platform-keystore: {ex.Message}", CliOutput.Usage);
        }

        var flows = new PlatformFlowsOptions { ChallengePeriodSeconds = parse.GetValue(ChallengePeriod), ChainOutboxPath = parse.GetValue(ChainOutbox) };
        Action<IServiceCollection>? hook = key is null
            ? null
            : services => services.AddPlatformFlows(options, key, flows, p => BindPayouts(p, payoutsPath));
        try
        {
            var host = await SettlementServiceHost.StartAsync(options, hook, logging, ct).ConfigureAwait(false);
            return (host, key, options, 0);
        }
        catch (ArgumentException ex)
        {
            key?.Dispose();
            return Fail(ex.Message, CliOutput.Usage);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            key?.Dispose();
            return Fail("invalid configuration: " + ex.Message, CliOutput.Usage);
        }
        catch (DbException ex)
        {
            key?.Dispose();
            return Fail("the ledger database could not be opened: " + ex.Message, 1);
        }
    }

    private static void BindPayouts(PayoutOptions payouts, string? path)
    {
        if (path is null)
        {
            payouts.Enabled = false; // no merchants configured: nothing to pay
            return;
        }

        new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build().GetSection(PayoutOptions.SectionName).Bind(payouts);
    }

    private static (SettlementServiceHost?, PrivateKey?, SettlementServiceOptions?, int) Fail(string message, int code) =>
        (null, null, null, CliOutput.Fail(message, code));
}

using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Velocity;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Rpc;
using Settlement.PayeeService;

namespace Settlement.Cli.Payee;

/// <summary>
/// <c>l2pay serve payee</c>: runs the payee service on 127.0.0.1 until Ctrl+C or SIGTERM (a graceful stop finishes
/// every queued write). Prints one JSON line with its URLs once it listens.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", "Run a service");
        serve.Subcommands.Add(CreatePayee());
        serve.Subcommands.Add(Settle.ServeSettlementCommand.Create());
        serve.Subcommands.Add(Watchtower.ServeWatchtowerCommand.Create());
        serve.Subcommands.Add(Dashboard.ServeDashboardCommand.Create());
        return serve;
    }

    private static Command CreatePayee()
    {
        var db = new Option<string>("--db") { Description = "SQLite file (default payee.db) or PostgreSQL connection string (Host=…;Database=…)", DefaultValueFactory = _ => "payee.db" };
        var rpcUrl = new Option<string>("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var contract = new Option<string>("--contract") { Description = "SettlementChannels contract address", Required = true };
        var keyFile = new Option<string?>("--key-file") { Description = "The payee's key file or keystore (signs receipts); without it no receipts are signed" };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = a free port)", DefaultValueFactory = _ => 7070 };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks a deposit must be buried under before it is credited", DefaultValueFactory = _ => 1 };
        var receiptEvery = new Option<int>("--receipt-every") { Description = "Send a signed receipt at least every N accepted vouchers", DefaultValueFactory = _ => 100 };
        var watchtowerUrl = new Option<string?>("--watchtower-url") { Description = "Forward each channel's newest accepted voucher to this watchtower (l2pay serve watchtower)" };
        var receiptSeconds = new Option<int>("--receipt-every-seconds") { Description = "Send a signed receipt at least every N seconds while a channel is paying", DefaultValueFactory = _ => 5 };
        var policy = new Option<bool>("--policy") { Description = "Run the redeem and close policy every minute with its defaults (needs --key-file; docs/payee.md)" };
        var rates = VelocityRates.Select(r => (Rule: r, Option: new Option<int?>(r.Flag) { Description = r.Description })).ToArray();
        var values = VelocityValues.Select(r => (Rule: r, Option: new Option<string?>(r.Flag) { Description = r.Description })).ToArray();
        var command = new Command("payee", "Run the payee service: verify and store vouchers, acknowledge, sign receipts")
        {
            db, rpcUrl, contract, keyFile, port, confirmations, receiptEvery, receiptSeconds, policy, watchtowerUrl,
        };
        foreach (var (_, option) in rates)
        {
            command.Options.Add(option);
        }

        foreach (var (_, option) in values)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!Address.TryParse(parse.GetValue(contract), out var contractAddress))
            {
                return CliOutput.Fail("--contract must be a 20-byte hex address.", CliOutput.Usage);
            }

            // Velocity rules are checked before the chain node is asked anything, naming the flag that is wrong.
            var velocity = new VelocityOptions();
            foreach (var (rule, option) in rates)
            {
                rule.Set(velocity, parse.GetValue(option));
            }

            foreach (var (rule, option) in values)
            {
                rule.Set(velocity, parse.GetValue(option));
            }

            var problems = new List<ValidationResult>();
            if (!Validator.TryValidateObject(velocity, new ValidationContext(velocity), problems, validateAllProperties: true))
            {
                var flags = VelocityRates.Select(r => (r.Property, r.Flag)).Concat(VelocityValues.Select(r => (r.Property, r.Flag))).ToDictionary(r => r.Property, r => r.Flag);
                var first = problems[0];
                var flag = first.MemberNames.Select(m => flags.GetValueOrDefault(m)).FirstOrDefault(f => f is not null) ?? "--velocity";
                return CliOutput.Fail($"{flag}: {first.ErrorMessage}", CliOutput.Usage);
            }

            if (parse.GetValue(policy) && parse.GetValue(keyFile) is null)
            {
                return CliOutput.Fail("--policy needs --key-file: the policy sends its redeems and closes as the payee.", CliOutput.Usage);
            }

            Uri? towerUri = null;
            if (parse.GetValue(watchtowerUrl) is { } towerUrl && !Uri.TryCreate(towerUrl, UriKind.Absolute, out towerUri))
            {
                return CliOutput.Fail("--watchtower-url must be an absolute http(s) URL.", CliOutput.Usage);
            }

            var rpc = new Uri(parse.GetValue(rpcUrl)!);
            ulong chainId;
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                chainId = await new EthereumRpcClient(http, new EthereumRpcOptions { Url = rpc }).GetChainIdAsync(ct).ConfigureAwait(false);
            }

            var options = new PayeeServiceOptions
            {
                Port = parse.GetValue(port),
                Database = parse.GetValue(db)!,
                RpcUrl = rpc,
                Confirmations = parse.GetValue(confirmations),
                ReceiptEveryVouchers = parse.GetValue(receiptEvery),
                ReceiptEverySeconds = parse.GetValue(receiptSeconds),

                // The operator endpoints' bearer token (POST …/refunds) from the environment, never from a flag (docs/payee.md).
                OperatorToken = Environment.GetEnvironmentVariable("L2PAY_PAYEE_OPERATOR_TOKEN") is { Length: > 0 } token ? token.Trim() : null,
                Engine = new PayeeOptions { ChainId = chainId, Contract = contractAddress.ToString(), Velocity = velocity },
                Policy = new Channels.Payee.Policy.PayeePolicyOptions { Enabled = parse.GetValue(policy) },
                Watchtower = new PayeeService.Watchtower.WatchtowerForwardingOptions
                {
                    Url = towerUri,
                },
            };
            using var key = parse.GetValue(keyFile) is { } path ? KeyFile.Load(path, KeystorePassword.ForReading) : null;
            // Structured logs (one JSON object per line) on stderr; stdout keeps the one JSON line of the CLI convention.
            await using var host = await PayeeServiceHost.StartAsync(
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
                ("streamUrl", host.StreamUrl.ToString()),
                ("chainId", chainId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("contract", contractAddress.ToString()),
                ("payee", key?.Address.ToString() ?? ""),
                ("database", options.IsPostgreSql ? "postgresql" : Path.GetFullPath(options.Database)));
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: disposing the host drains queued writes.
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The payments-per-second rules of <see cref="VelocityOptions"/> and their flags.</summary>
    private static readonly (string Property, string Flag, string Description, Action<VelocityOptions, int?> Set)[] VelocityRates =
    [
        (nameof(VelocityOptions.ChannelPaymentsPerSecondFlag), "--channel-payments-per-second-flag", "Flag a channel paying more often than this per second", (o, v) => o.ChannelPaymentsPerSecondFlag = v),
        (nameof(VelocityOptions.ChannelPaymentsPerSecondRefuse), "--channel-payments-per-second-refuse", "Refuse a channel's vouchers beyond this many per second", (o, v) => o.ChannelPaymentsPerSecondRefuse = v),
        (nameof(VelocityOptions.PayerPaymentsPerSecondFlag), "--payer-payments-per-second-flag", "Flag a payer (all its channels) paying more often than this per second", (o, v) => o.PayerPaymentsPerSecondFlag = v),
        (nameof(VelocityOptions.PayerPaymentsPerSecondRefuse), "--payer-payments-per-second-refuse", "Refuse a payer's vouchers beyond this many per second", (o, v) => o.PayerPaymentsPerSecondRefuse = v),
    ];

    /// <summary>The value-per-minute rules (base units, as text) and their flags.</summary>
    private static readonly (string Property, string Flag, string Description, Action<VelocityOptions, string?> Set)[] VelocityValues =
    [
        (nameof(VelocityOptions.ChannelValuePerMinuteFlag), "--channel-value-per-minute-flag", "Flag a channel paying more than this many base units per minute", (o, v) => o.ChannelValuePerMinuteFlag = v),
        (nameof(VelocityOptions.ChannelValuePerMinuteRefuse), "--channel-value-per-minute-refuse", "Refuse a channel's vouchers beyond this many base units per minute", (o, v) => o.ChannelValuePerMinuteRefuse = v),
        (nameof(VelocityOptions.PayerValuePerMinuteFlag), "--payer-value-per-minute-flag", "Flag a payer paying more than this many base units per minute", (o, v) => o.PayerValuePerMinuteFlag = v),
        (nameof(VelocityOptions.PayerValuePerMinuteRefuse), "--payer-value-per-minute-refuse", "Refuse a payer's vouchers beyond this many base units per minute", (o, v) => o.PayerValuePerMinuteRefuse = v),
    ];
}

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        var args = new SettlementServiceArguments(defaultPort: 7080);
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Minimum level of the logs on stderr", DefaultValueFactory = _ => LogLevel.Information };
        var logFormat = new Option<string>("--log-format") { Description = "Logs on stderr: json (one object per line) or text", DefaultValueFactory = _ => "json" };
        logFormat.AcceptOnlyFromAmong("json", "text");
        var command = new Command("settlement", "Run the settlement service: ledger, chain indexer, pending-transfer expiry, open-banking webhook, and with --platform-keystore the top-up and payout flows; /health and /metrics/prometheus");
        foreach (var option in args.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(logLevel);
        command.Options.Add(logFormat);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var (host, key, options, exit) = await args.StartAsync(
                parse, logging => ConfigureLogging(logging, parse.GetValue(logLevel), parse.GetValue(logFormat) == "json"), ct).ConfigureAwait(false);
            if (host is null || options is null)
            {
                return exit;
            }

            using (key)
            {
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

                        w.WriteBoolean("indexer", options.IndexerEnabled);
                        w.WriteBoolean("flows", key is not null);
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
            }

            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The longest graceful stop; below the CLI's process-termination timeout (Program.cs), after which the process
    /// exits whatever is still running.
    /// </summary>
    public const double MaxShutdownSeconds = SettlementServiceArguments.MaxShutdownSeconds;

    internal static void ConfigureLogging(ILoggingBuilder logging, LogLevel level, bool json)
    {
        ConfigureLoggingCore(logging, level, json);
    }

    private static void ConfigureLoggingCore(ILoggingBuilder logging, LogLevel level, bool json)
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

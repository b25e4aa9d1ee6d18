using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.DashboardService;

namespace Settlement.Cli.Dashboard;

/// <summary>
/// <c>l2pay serve dashboard</c>: the live merchant dashboard (docs/dashboard.md) over the payee, settlement and
/// watchtower services, until Ctrl+C or SIGTERM. Prints one JSON line with its URL once it listens. Read-only; off
/// loopback it needs a bearer token (<c>--token-file</c> or <c>L2PAY_DASHBOARD_TOKEN</c>) and refuses to start without one.
/// </summary>
internal static class ServeDashboardCommand
{
    /// <summary>The environment variable that may carry the bearer token instead of <c>--token-file</c>.</summary>
    public const string TokenVariable = "L2PAY_DASHBOARD_TOKEN";

    public static Command Create()
    {
        var settlementUrl = new Option<string?>("--settlement-url") { Description = "The settlement service (l2pay serve settlement), e.g. http://127.0.0.1:7080" };
        var payeeUrl = new Option<string?>("--payee-url") { Description = "The payee service (l2pay serve payee), e.g. http://127.0.0.1:7070" };
        var watchtowerUrl = new Option<string?>("--watchtower-url") { Description = "The watchtower service (l2pay serve watchtower), e.g. http://127.0.0.1:7090" };
        var bind = new Option<string>("--bind") { Description = "Address to listen on; anything but loopback needs a token", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0 = a free port)", DefaultValueFactory = _ => 7100 };
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = $"File holding the bearer token (or set {TokenVariable}); required off loopback" };
        var pollMs = new Option<int>("--poll-ms") { Description = "Milliseconds between two reads of the services", DefaultValueFactory = _ => 1000 };
        var command = new Command("dashboard", "Run the live merchant dashboard (read-only web page) over the payee, settlement and watchtower services")
        {
            settlementUrl, payeeUrl, watchtowerUrl, bind, port, tokenFile, pollMs,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var token = parse.GetValue(tokenFile) is { } file
                ? (await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false)).Trim()
                : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } variable ? variable.Trim() : null;
            Uri? settlement = null, payee = null, watchtower = null;
            foreach (var (name, text, set) in new (string, string?, Action<Uri>)[]
            {
                ("--settlement-url", parse.GetValue(settlementUrl), u => settlement = u),
                ("--payee-url", parse.GetValue(payeeUrl), u => payee = u),
                ("--watchtower-url", parse.GetValue(watchtowerUrl), u => watchtower = u),
            })
            {
                if (text is null)
                {
                    continue;
                }

                if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    return CliOutput.Fail($"{name} must be an http(s) URL, not '{text}'", CliOutput.Usage);
                }

                set(url);
            }

            var options = new DashboardServiceOptions
            {
                BindAddress = parse.GetValue(bind)!,
                Port = parse.GetValue(port),
                SettlementUrl = settlement,
                PayeeUrl = payee,
                WatchtowerUrl = watchtower,
                BearerToken = token,
                PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(pollMs)),
            };
            try
            {
                options.ThrowIfInvalid();
            }
            catch (ArgumentException ex)
            {
                return CliOutput.Fail(ex.Message, CliOutput.Usage);
            }

            await using var host = await DashboardServiceHost.StartAsync(
                options,
                logging => logging
                    .SetMinimumLevel(LogLevel.Information)
                    .AddJsonConsole(json => json.UseUtcTimestamp = true)
                    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
                    .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
                    .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
                cancellationToken: ct).ConfigureAwait(false);
            CliOutput.WriteObject(w =>
            {
                w.WriteString("dashboardUrl", host.BaseUrl.ToString());
                w.WriteString("eventsUrl", new Uri(host.BaseUrl, "events").ToString());
                w.WriteBoolean("tokenRequired", token is not null);
            });
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: the page's event streams end with the host.
            }

            return 0;
        }));
        return command;
    }
}

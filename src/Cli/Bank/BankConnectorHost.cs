using System.CommandLine;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Bank;

/// <summary>
/// Builds the connector for the <c>bank topup|payout|status</c> verbs: from a configuration file
/// (<c>--config</c>, section <c>OpenBanking</c>, also <c>OpenBanking__…</c> environment variables), or
/// against a running <c>l2pay bank sandbox</c> (<c>--sandbox URL --sandbox-cert PEM</c>: a client key is
/// kept in the state directory and the client is registered through the sandbox's admin API).
/// </summary>
internal sealed class BankConnectorHost
{
    public const string SandboxBankName = "sandbox";
    public const string SandboxPlatformAccount = "04000412345678";
    private const string SandboxClientId = "l2pay-cli";
    private const string SandboxRedirect = "https://l2pay.invalid/callback";

    public static readonly Option<FileInfo?> ConfigOption = new("--config") { Description = "JSON configuration file with an OpenBanking section (banks, database path)" };
    public static readonly Option<string?> SandboxOption = new("--sandbox") { Description = "Base URL of a running 'l2pay bank sandbox' (configures bank 'sandbox' automatically)" };
    public static readonly Option<FileInfo?> SandboxCertOption = new("--sandbox-cert") { Description = "The sandbox's TLS certificate PEM (printed by 'l2pay bank sandbox')" };
    public static readonly Option<ObieVersion> SpecOption = new("--spec") { Description = "Spec version for --sandbox: V3_1_11 or V4_0", DefaultValueFactory = _ => ObieVersion.V3_1_11 };
    public static readonly Option<DirectoryInfo> StateOption = new("--state-dir") { Description = "Where the transfer database and the sandbox client key live", DefaultValueFactory = _ => new DirectoryInfo(".l2pay-bank") };
    public static readonly Option<string?> BankOption = new("--bank") { Description = "Configured bank name (default: the only one, or 'sandbox')" };

    public static void AddOptions(Command command)
    {
        command.Options.Add(ConfigOption);
        command.Options.Add(SandboxOption);
        command.Options.Add(SandboxCertOption);
        command.Options.Add(SpecOption);
        command.Options.Add(StateOption);
        command.Options.Add(BankOption);
    }

    public static Task<(IHost Host, TransferService Transfers, string Bank)> StartAsync(ParseResult parse, CancellationToken ct)
    {
        Uri? sandbox = null;
        if (parse.GetValue(SandboxOption) is { } sandboxText && (!Uri.TryCreate(sandboxText, UriKind.Absolute, out sandbox) || sandbox.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--sandbox must be an https:// URL, not '{sandboxText}'");
        }

        return StartAsync(
            new BankConnectorSettings(parse.GetValue(StateOption)!, parse.GetValue(ConfigOption), sandbox, parse.GetValue(SandboxCertOption), parse.GetValue(SpecOption), parse.GetValue(BankOption)),
            ct);
    }

    /// <summary>The same without a command line (used by <c>l2pay demo</c>, which hosts its own sandbox).</summary>
    public static async Task<(IHost Host, TransferService Transfers, string Bank)> StartAsync(BankConnectorSettings connector, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var state = connector.StateDirectory;
        state.Create();
        var config = connector.Config;
        var sandbox = connector.Sandbox;
        if (config is null && sandbox is null)
        {
            throw new ArgumentException("give --config FILE or --sandbox URL --sandbox-cert PEM");
        }

        var settings = await BuildSettingsAsync(connector, ct).ConfigureAwait(false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (config is not null)
        {
            builder.Configuration.AddJsonFile(config.FullName, optional: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        builder.Services.AddOpenBanking();
        if (CrashAtCheckpoint.FromEnvironment() is { } crashHook)
        {
            builder.Services.AddSingleton<ITransferCheckpointObserver>(crashHook);
        }

        var host = builder.Build();
        try
        {
            await host.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            host.Dispose();
            throw new ArgumentException("invalid configuration: " + e.Message, e);
        }

        var clients = host.Services.GetRequiredService<OpenBankingClients>();
        var bank = connector.Bank
            ?? (sandbox is not null ? SandboxBankName : clients.BankNames.Count == 1 ? clients.BankNames.First() : throw new ArgumentException("several banks are configured: choose one with --bank"));
        return (host, host.Services.GetRequiredService<TransferService>(), bank);
    }

    /// <summary>
    /// Writes the connector's <c>OpenBanking</c> configuration (a sandbox client registered as for the verbs, or the
    /// settings derived from <c>--config</c>'s state) to <paramref name="path"/> as JSON, for a settlement service
    /// (<c>OpenBankingConfigPath</c>). It names files (keys, certificates, the transfer database), never secrets.
    /// </summary>
    public static async Task<string> WriteConfigFileAsync(BankConnectorSettings connector, string path, CancellationToken ct)
    {
        var settings = await BuildSettingsAsync(connector, ct).ConfigureAwait(false);
        var root = new JsonObject();
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var node = root;
            foreach (var part in parts[..^1])
            {
                if (node[part] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[part] = child;
                }

                node = child;
            }

            node[parts[^1]] = value;
        }

        await File.WriteAllTextAsync(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
        return path;
    }

    private static async Task<Dictionary<string, string?>> BuildSettingsAsync(BankConnectorSettings connector, CancellationToken ct)
    {
        var state = connector.StateDirectory;
        state.Create();
        var sandbox = connector.Sandbox;
        var settings = new Dictionary<string, string?>
        {
            ["OpenBanking:DatabasePath"] = Path.Combine(state.FullName, "transfers.db"),
        };
        if (sandbox is not null)
        {
            var cert = connector.SandboxCertificate ?? throw new ArgumentException("--sandbox needs --sandbox-cert (the PEM path printed by 'l2pay bank sandbox')");
            var keyPath = await EnsureSandboxClientAsync(sandbox, cert.FullName, state.FullName, ct).ConfigureAwait(false);
            var prefix = "OpenBanking:Banks:" + SandboxBankName + ":";
            var issuer = sandbox.AbsoluteUri.TrimEnd('/');
            settings[prefix + "BaseUrl"] = issuer;
            settings[prefix + "WellKnownEndpoint"] = issuer;
            settings[prefix + "ClientId"] = SandboxClientId;
            settings[prefix + "SigningKeyPath"] = keyPath;
            settings[prefix + "SigningKeyId"] = SandboxClientId + "-key";
            settings[prefix + "TrustedServerCertificatePath"] = cert.FullName;
            settings[prefix + "SpecVersion"] = connector.Spec.ToString();
            settings[prefix + "RedirectUri"] = SandboxRedirect;
            settings[prefix + "PlatformAccount:Identification"] = SandboxPlatformAccount;
            settings[prefix + "PlatformAccount:Name"] = "Platform";
            settings[prefix + "Quirks:HeadlessAuthorization"] = "true";
            settings[prefix + "RetryBaseDelay"] = "00:00:00.200";
            settings[prefix + "BankJwsIssuer"] = "sandbox-bank";
            settings[prefix + "StatusPollMaxInterval"] = "00:00:02";
        }

        return settings;
    }

    /// <summary>The operator's message when another process holds the transfer.</summary>
    public static string BusyMessage(Guid id, string holder) =>
        $"transfer {id} is being advanced by another l2pay process ({holder}); nothing was done. Run 'l2pay bank status --operation-id {id}' once it has finished";

    /// <summary>
    /// Prints the transfer and returns its exit code: 0 when completed, or unfinished without --wait;
    /// <see cref="BankExitCodes"/> for Rejected, Failed, and a --wait that ran out (with a line on stderr).
    /// </summary>
    public static int WriteOutcome(TransferOperation op, bool waited)
    {
        ArgumentNullException.ThrowIfNull(op);
        var code = op.State switch
        {
            TransferState.Rejected => BankExitCodes.Rejected,
            TransferState.Failed or TransferState.Expired => BankExitCodes.Failed,
            _ when waited && !op.IsFinished && op.State != TransferState.AwaitingAuthorisation => BankExitCodes.WaitTimedOut,
            _ => 0,
        };
        CliOutput.WriteObject(w => WriteTransfer(w, op));
        if (code != 0)
        {
            var what = code == BankExitCodes.WaitTimedOut ? $"still {op.State} when --wait ran out; run again to continue" : $"ended {op.State}: {op.LastError ?? op.PaymentStatus ?? op.ConsentStatus}";
            Console.Error.WriteLine($"error: transfer {op.Id} {what}");
        }

        return code;
    }

    public static void WriteTransfer(Utf8JsonWriter w, TransferOperation op, IReadOnlyList<TransferTransition>? history = null)
    {
        w.WriteString("operationId", op.Id.ToString());
        w.WriteString("kind", op.Kind.ToString());
        w.WriteString("bank", op.Bank);
        w.WriteString("state", op.State.ToString());
        w.WriteNumber("amountMinor", op.Instruction.Amount.MinorUnits);
        w.WriteString("currency", op.Instruction.Amount.Currency);
        w.WriteString("amount", op.Instruction.Amount.ToObieAmount());
        w.WriteString("debtor", op.Instruction.Debtor?.Identification);
        w.WriteString("creditor", op.Instruction.Creditor.Identification);
        if (op.RefundAccount is { } refund)
        {
            // The payer's verified account, masked: displays never carry a full account number.
            w.WriteString("refundAccount", refund.Masked);
        }

        w.WriteString("consentId", op.ConsentId);
        w.WriteString("consentStatus", op.ConsentStatus);
        w.WriteString("paymentId", op.PaymentId);
        w.WriteString("paymentStatus", op.PaymentStatus);
        if (op.UnrecognisedStatus is not null)
        {
            w.WriteString("unrecognisedStatus", op.UnrecognisedStatus);
        }

        if (op.State == TransferState.AwaitingAuthorisation && op.AuthorizationUrl is not null)
        {
            w.WriteString("authorizationUrl", op.AuthorizationUrl.AbsoluteUri);
        }

        w.WriteString("consentIdempotencyKey", op.ConsentIdempotencyKey);
        w.WriteString("paymentIdempotencyKey", op.PaymentIdempotencyKey);
        w.WriteString("lastError", op.LastError);
        w.WriteString("updatedAt", op.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (history is not null)
        {
            w.WriteStartArray("history");
            foreach (var h in history)
            {
                w.WriteStartObject();
                w.WriteString("at", h.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("from", h.From?.ToString());
                w.WriteString("to", h.To.ToString());
                w.WriteString("event", h.Event);
                w.WriteString("detail", h.Detail);
                w.WriteBoolean("accepted", h.Accepted);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    /// <summary>
    /// Polls (bank time moves on its own) until the transfer is final or the wait runs out. A pass
    /// while another process holds the transfer just waits for the next one.
    /// </summary>
    public static async Task<TransferOperation> WaitAsync(TransferService transfers, TransferOperation op, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (!op.IsFinished && op.State != TransferState.AwaitingAuthorisation)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), limit.Token).ConfigureAwait(false);
                try
                {
                    op = (await transfers.TryAdvanceAsync(op.Id, limit.Token).ConfigureAwait(false)).Operation;
                }
                catch (Settlement.OpenBanking.Errors.BankApiException e) when (e.IsTransient)
                {
                    op = (await transfers.GetAsync(op.Id, limit.Token).ConfigureAwait(false))!;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The wait ran out: report where the transfer stands; it resumes on the next call.
        }

        return op;
    }

    private static async Task<string> EnsureSandboxClientAsync(Uri sandbox, string certPath, string stateDir, CancellationToken ct)
    {
        var keyPath = Path.Combine(stateDir, "sandbox-client.pem");
        SigningKey key;
        if (!File.Exists(keyPath))
        {
            key = SigningKey.Generate(SandboxClientId + "-key");
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8Pem(), ct).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        else if (!SigningKey.TryLoad(keyPath, SandboxClientId + "-key", out key!, out var error))
        {
            throw new InvalidOperationException($"{keyPath}: {error}");
        }

        using (key)
        {
            using var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certPath, ct).ConfigureAwait(false));
            var expected = trusted.GetCertHash(HashAlgorithmName.SHA256);
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected);
            using var http = new HttpClient(handler);
            var jwk = new JsonObject();
            foreach (var (k, v) in key.PublicJwk())
            {
                jwk[k] = v;
            }

            var body = new JsonObject
            {
                ["client_id"] = SandboxClientId,
                ["jwk"] = jwk,
                ["redirect_uris"] = new JsonArray(SandboxRedirect),
            };
            using var response = await http.PostAsJsonAsync(new Uri(sandbox, "/sandbox/clients"), body, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the sandbox refused the client registration (HTTP {(int)response.StatusCode})");
            }
        }

        return keyPath;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Settlement.Benchmarks.Payee;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.DevChain;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Flows;
using Settlement.SettlementService;
using Settlement.SettlementService.Flows;

namespace Settlement.Benchmarks.Topup;

/// <summary>
/// Issue 11 (docs/benchmarks.md, "Top-up to channel funded"): the latency of a top-up from
/// <see cref="SettlementFlows.StartTopupAsync"/> to <see cref="TopupFlowState.Funded"/>, end to end on loopback — the
/// in-process bank sandbox, a local Anvil with the stablecoin and channel contracts, and the settlement service host
/// with the platform's flows wired as <c>l2pay demo</c> wires them (ledger, indexer, OBIE connector, chain outbox).
/// Each top-up opens a new channel for a new payer address. Paired with it, alternating which goes first, the
/// baseline: the bank leg alone, a PIS top-up through the same host's <see cref="TransferService"/> advanced until
/// Completed. The flow's transitions split its time into bank final, chain funded and indexer confirmed.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- topup [count] [bankDelayMs]
/// </summary>
internal static class TopupBenchmarks
{
    public const int DefaultCount = 20;
    private const string Bank = "sandbox";
    private const string Scheme = "UK.OBIE.SortCodeAccountNumber";
    private const string Customer = "60161331926819";
    private const string Platform = "04000412345678";
    private const string ClientId = "l2pay-bench";
    private const string Redirect = "https://l2pay.invalid/callback";
    private const string UserId = "bench-user";
    private const long AmountPence = 500;

    // Anvil's default development account 0 (the well-known test mnemonic): the platform, with gas money already.
    private const string PlatformKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    // The demo's settings (src/Cli/Demo/DemoSettlement.cs): they set the floor of every stage below.
    private static readonly TimeSpan IndexerPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan TransferResumeInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FlowResumeInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReceiptPollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan SandboxBackgroundInterval = TimeSpan.FromMilliseconds(200);

    // How often this client advances and reads its top-up (the same for the flow and the baseline).
    private static readonly TimeSpan ClientPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultCount;
        var bankDelay = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0);
        var ct = CancellationToken.None;
        var folder = Directory.CreateTempSubdirectory("l2pay-topup-bench-").FullName;
        try
        {
            Progress($"starting the bank sandbox (acceptance and settlement delay {bankDelay.TotalMilliseconds:F0} ms) and Anvil");
            var sandboxOptions = new SandboxOptions
            {
                Port = 0,
                TimeProvider = TimeProvider.System,
                AcceptanceDelay = bankDelay,
                SettlementDelay = bankDelay,
                BackgroundInterval = SandboxBackgroundInterval,
                DefaultDebtorAccount = Customer,
            };
            sandboxOptions.Accounts.Add(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = 1_000_000_000 });
            sandboxOptions.Accounts.Add(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = 0 });
            await using var sandbox = await SandboxHost.StartAsync(sandboxOptions, ct);
            await using var anvil = await AnvilProcess.StartAsync(new AnvilOptions(), ct);
            using var http = new HttpClient();
            var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = anvil.RpcUrl, ChainId = anvil.ChainId });
            await rpc.ConnectAsync(ct);

            using var platformKey = PrivateKey.ParseHex(PlatformKey);
            using var payee = PrivateKey.Generate();
            var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = ReceiptPollInterval });
            var platformTx = new SignedTransactor(sender, platformKey);
            var startBlock = await rpc.GetBlockNumberAsync(ct) + 1;
            var token = await StablecoinContract.DeployAsync(rpc, platformTx, platformKey.Address, ct);
            var channels = await ChannelContract.DeployAsync(rpc, platformTx, ct);
            Progress($"deployed tGBP at {token.Address} and the channel contract at {channels.Address}");

            var options = new SettlementServiceOptions
            {
                Port = 0,
                Database = Path.Combine(folder, "settlement.db"),
                RpcUrl = anvil.RpcUrl,
                ChainId = anvil.ChainId,
                Contract = channels.Address.ToString(),
                Token = token.Address.ToString(),
                StartBlock = startBlock,
                Confirmations = 0,
                IndexerPollInterval = IndexerPollInterval,
                TransferResumeInterval = TransferResumeInterval,
                OpenBankingConfigPath = await WriteBankConfigAsync(sandbox, folder, ct),
            };
            var flowsOptions = new PlatformFlowsOptions
            {
                ChallengePeriodSeconds = 3600,
                ResumeInterval = FlowResumeInterval,
                ReceiptPollInterval = ReceiptPollInterval,
            };
            await using var host = await SettlementServiceHost.StartAsync(
                options,
                services => services.AddPlatformFlows(options, platformKey, flowsOptions, p =>
                {
                    p.Enabled = false;
                    p.MinimumPence = 1;
                }),
                logging => logging.ClearProviders(),
                ct);
            var flows = host.Services.GetRequiredService<SettlementFlows>();
            var transfers = host.Services.GetRequiredService<TransferService>();
            var debtor = new AccountIdentification(Scheme, Customer, "Customer");
            Progress($"settlement service at {host.BaseUrl}; {count} paired top-ups after one warm-up pair");

            var flowTotals = new List<double>();
            var bankTotals = new List<double>();
            var ratios = new List<double>();
            var bankStage = new List<double>();
            var chainStage = new List<double>();
            var indexerStage = new List<double>();
            var recorded = new List<double>();
            for (var i = -1; i < count; i++)
            {
                double flowMs = 0, bankMs = 0;
                FlowStages stages = default;
                foreach (var flowFirst in new[] { i % 2 == 0, i % 2 != 0 })
                {
                    if (flowFirst)
                    {
                        (flowMs, stages) = await FlowTopupAsync(flows, payee.Address.ToString(), debtor, ct);
                    }
                    else
                    {
                        bankMs = await BankTopupAsync(transfers, debtor, ct);
                    }
                }

                Progress(string.Create(CultureInfo.InvariantCulture,
                    $"pair {i}: flow {flowMs:F0} ms (bank {stages.Bank:F0}, chain {stages.Chain:F0}, indexer {stages.Indexer:F0}), bank only {bankMs:F0} ms"));
                if (i < 0)
                {
                    continue;
                }

                flowTotals.Add(flowMs);
                bankTotals.Add(bankMs);
                ratios.Add(flowMs / bankMs);
                bankStage.Add(stages.Bank);
                chainStage.Add(stages.Chain);
                indexerStage.Add(stages.Indexer);
                recorded.Add(stages.Recorded);
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count} paired top-ups of {AmountPence}p (order alternating, one warm-up pair not reported); each flow top-up opens a new channel (mint + approve + open)."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Settings: bank sandbox acceptance/settlement delay {bankDelay.TotalMilliseconds:F0} ms, background {SandboxBackgroundInterval.TotalMilliseconds:F0} ms; confirmations 0; indexer poll {IndexerPollInterval.TotalMilliseconds:F0} ms; "
                + $"flow resume {FlowResumeInterval.TotalMilliseconds:F0} ms; transfer resume {TransferResumeInterval.TotalMilliseconds:F0} ms; receipt poll {ReceiptPollInterval.TotalMilliseconds:F0} ms; client poll {ClientPollInterval.TotalMilliseconds:F0} ms."));
            Console.WriteLine();
            Console.WriteLine("| Figure (ms) | Median | p90 | Min | Max |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Row("Top-up flow: start → Funded seen by the client", flowTotals);
            Row("  flow's own record: created → Funded", recorded);
            Row("  stage: bank final (created → Credited)", bankStage);
            Row("  stage: chain funded (Credited → AwaitingConfirmation: reserve, mint, approve, open)", chainStage);
            Row("  stage: indexer confirmed (AwaitingConfirmation → Funded)", indexerStage);
            Row("Baseline: bank leg alone (PIS top-up → Completed)", bankTotals);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Ratio of medians, flow / bank leg | {Stats.Median(flowTotals) / Stats.Median(bankTotals):F2} | | | |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| Median of per-pair ratios | {Stats.Median(ratios):F2} | {Stats.Percentile(ratios, 90):F2} | {ratios.Min():F2} | {ratios.Max():F2} |"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static async Task<(double TotalMs, FlowStages Stages)> FlowTopupAsync(SettlementFlows flows, string payee, AccountIdentification debtor, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        using var payer = PrivateKey.Generate();
        var clock = Stopwatch.StartNew();
        var start = await flows.StartTopupAsync(
            new TopupRequest
            {
                FlowId = id,
                UserId = UserId,
                Bank = Bank,
                AmountPence = AmountPence,
                PayerAddress = payer.Address.ToString(),
                PayeeAddress = payee,
                Reference = "l2pay bench top-up",
                DebtorAccount = debtor,
            },
            ct);
        if (!start.Accepted)
        {
            throw new InvalidOperationException($"top-up refused: {start.Refusal} {start.Detail}");
        }

        var flow = start.Flow;
        while (flow is not { State: TopupFlowState.Funded })
        {
            if (flow?.IsFinished == true || clock.Elapsed > Timeout)
            {
                throw new InvalidOperationException($"top-up {id} is {flow?.State} after {clock.Elapsed.TotalSeconds:F1} s: {flow?.Problem?.Code} {flow?.Problem?.Detail}");
            }

            await Task.Delay(ClientPollInterval, ct);
            await flows.AdvanceAsync(id, ct);
            flow = await flows.GetTopupAsync(id, ct);
        }

        var total = clock.Elapsed.TotalMilliseconds;
        var history = await flows.GetHistoryAsync(id, ct);
        DateTimeOffset At(TopupFlowState state) =>
            history.FirstOrDefault(t => t.ToState == state.ToString())?.At
            ?? throw new InvalidOperationException($"top-up {id} has no transition to {state}");
        var created = history[0].At;
        var credited = At(TopupFlowState.Credited);
        var mined = At(TopupFlowState.AwaitingConfirmation);
        var funded = At(TopupFlowState.Funded);
        return (total, new FlowStages(
            (credited - created).TotalMilliseconds,
            (mined - credited).TotalMilliseconds,
            (funded - mined).TotalMilliseconds,
            (funded - created).TotalMilliseconds));
    }

    private static async Task<double> BankTopupAsync(TransferService transfers, AccountIdentification debtor, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var op = await transfers.StartTopupAsync(
            new TransferRequest { OperationId = Guid.NewGuid(), Bank = Bank, AmountMinor = AmountPence, Counterparty = debtor, Reference = "l2pay bench bank top-up" },
            ct);
        // The first status read follows the start at once, as the flow's bank step does (start, then read the status in
        // the same advance); after that the client polls at the flow's client interval.
        var first = true;
        while (op.State != TransferState.Completed)
        {
            if (op.IsFinished || clock.Elapsed > Timeout)
            {
                throw new InvalidOperationException($"bank top-up {op.Id} is {op.State} after {clock.Elapsed.TotalSeconds:F1} s: {op.LastError}");
            }

            if (!first)
            {
                await Task.Delay(ClientPollInterval, ct);
            }

            first = false;
            op = (await transfers.TryAdvanceAsync(op.Id, ct)).Operation;
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The OpenBanking section the CLI writes for a sandbox (<c>BankConnectorHost.WriteConfigFileAsync</c>, internal to
    /// the CLI): a client key in the folder, the client registered with the in-process sandbox directly (the CLI does the
    /// same through the sandbox's admin API), headless authorisation.
    /// </summary>
    private static async Task<string> WriteBankConfigAsync(SandboxHost sandbox, string folder, CancellationToken ct)
    {
        using var key = SigningKey.Generate(ClientId + "-key");
        var keyPath = Path.Combine(folder, "sandbox-client.pem");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8Pem(), ct);
        var certPath = Path.Combine(folder, "sandbox-tls.pem");
        await File.WriteAllTextAsync(certPath, sandbox.TlsCertificate.ExportCertificatePem(), ct);
        sandbox.Clients.Register(new SandboxClient
        {
            ClientId = ClientId,
            SigningKey = new JsonWebKey(JsonSerializer.Serialize(key.PublicJwk())),
            RedirectUris = [Redirect],
        });
        var issuer = sandbox.BaseUrl.AbsoluteUri.TrimEnd('/');
        var root = new JsonObject
        {
            ["OpenBanking"] = new JsonObject
            {
                ["DatabasePath"] = Path.Combine(folder, "transfers.db"),
                ["Banks"] = new JsonObject
                {
                    [Bank] = new JsonObject
                    {
                        ["BaseUrl"] = issuer,
                        ["WellKnownEndpoint"] = issuer,
                        ["ClientId"] = ClientId,
                        ["SigningKeyPath"] = keyPath,
                        ["SigningKeyId"] = ClientId + "-key",
                        ["TrustedServerCertificatePath"] = certPath,
                        ["SpecVersion"] = "V3_1_11",
                        ["RedirectUri"] = Redirect,
                        ["PlatformAccount"] = new JsonObject { ["Identification"] = Platform, ["Name"] = "Platform" },
                        ["Quirks"] = new JsonObject { ["HeadlessAuthorization"] = "true" },
                        ["RetryBaseDelay"] = "00:00:00.200",
                    },
                },
            },
        };
        var path = Path.Combine(folder, "openbanking.json");
        await File.WriteAllTextAsync(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
        return path;
    }

    private static void Row(string label, List<double> values) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {Stats.Median(values):F0} | {Stats.Percentile(values, 90):F0} | {values.Min():F0} | {values.Max():F0} |"));

    private static void Progress(string text) => Console.Error.WriteLine($"[topup] {text}");

    /// <summary>A flow's stages from its transitions, in milliseconds.</summary>
    private readonly record struct FlowStages(double Bank, double Chain, double Indexer, double Recorded);
}

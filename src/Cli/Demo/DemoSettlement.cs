using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Recharge;
using Settlement.Cli.Bank;
using Settlement.Ethereum.Signing;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation.Sources;
using Settlement.SettlementService;
using Settlement.SettlementService.Flows;

namespace Settlement.Cli.Demo;

/// <summary>
/// The settlement service of <c>l2pay demo</c>: the same host as <c>l2pay serve settlement</c> (ledger, chain indexer,
/// open-banking connector) with the platform's flows, in this process. The demo asks it for a top-up and a payout
/// batch and waits for the persisted flows to finish; it never mints, opens or pays by itself.
/// </summary>
internal sealed class DemoSettlement : IAsyncDisposable
{
    public const string UserId = "demo-user";
    public const string MerchantId = "demo-merchant";
    private const string Scheme = "UK.OBIE.SortCodeAccountNumber";

    private readonly SettlementServiceHost _host;

    private readonly string _stream;

    private DemoSettlement(SettlementServiceHost host, string bank, string stream)
    {
        _host = host;
        _stream = stream;
        Bank = bank;
        Flows = host.Services.GetRequiredService<SettlementFlows>();
        Ledger = host.Services.GetRequiredService<ILedgerStore>();
        Transfers = host.Services.GetRequiredService<TransferService>();
    }

    public string Bank { get; }

    public SettlementFlows Flows { get; }

    public ILedgerStore Ledger { get; }

    public TransferService Transfers { get; }

    public Uri BaseUrl => _host.BaseUrl;

    public IServiceProvider Services => _host.Services;

    public static async Task<DemoSettlement> StartAsync(
        BankConnectorSettings bank, string stateDir, Uri rpcUrl, ulong chainId, string contract, string token, ulong startBlock,
        PrivateKey platformKey, string merchantAddress, long payoutFeePence, CancellationToken ct)
    {
        var bankConfig = await BankConnectorHost.WriteConfigFileAsync(bank, Path.Combine(stateDir, "openbanking.json"), ct).ConfigureAwait(false);
        var options = new SettlementServiceOptions
        {
            Port = 0,
            Database = Path.Combine(stateDir, "settlement.db"),
            RpcUrl = rpcUrl,
            ChainId = chainId,
            Contract = contract,
            Token = token,
            StartBlock = startBlock,

            // A local dev node mines each transaction at once and never reorgs; a real chain wants 12 or more.
            Confirmations = 0,
            IndexerPollInterval = TimeSpan.FromMilliseconds(100),
            TransferResumeInterval = TimeSpan.FromMilliseconds(200),
            OpenBankingConfigPath = bankConfig,
        };
        var flows = new PlatformFlowsOptions
        {
            ChallengePeriodSeconds = 3600,
            ResumeInterval = TimeSpan.FromMilliseconds(200),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(10),
        };
        var host = await SettlementServiceHost.StartAsync(
            options,
            services => services.AddPlatformFlows(options, platformKey, flows, p =>
            {
                // The demo runs its batch when the story gets there, not on a clock.
                p.Enabled = false;
                p.MinimumPence = 1;
                p.FeePence = payoutFeePence;
                p.Merchants.Add(new PayoutMerchant
                {
                    Id = MerchantId,
                    Address = merchantAddress,
                    Bank = BankConnectorHost.SandboxBankName,
                    AccountIdentification = DemoRunner.MerchantAccount,
                    AccountName = "Merchant",
                });
            }),
            logging => logging.ClearProviders(),
            ct).ConfigureAwait(false);
        return new DemoSettlement(host, BankConnectorHost.SandboxBankName, options.ToIndexerOptions().StreamName);
    }

    /// <summary>Starts the top-up flow and advances it until it is funded (or ends otherwise, or the time runs out).</summary>
    public async Task<TopupFlow> TopupAsync(Guid flowId, long pence, string payer, string payee, TimeSpan timeout, CancellationToken ct)
    {
        var start = await Flows.StartTopupAsync(
            new TopupRequest
            {
                FlowId = flowId,
                UserId = UserId,
                Bank = Bank,
                AmountPence = pence,
                PayerAddress = payer,
                PayeeAddress = payee,
                Reference = "l2pay demo top-up",
                DebtorAccount = new AccountIdentification(Scheme, DemoRunner.CustomerAccount, "Customer"),
            },
            ct).ConfigureAwait(false);
        if (!start.Accepted)
        {
            throw new DemoStepException("top-up", $"the settlement service refused the top-up: {start.Refusal} {start.Detail}");
        }

        var flow = await WaitAsync(flowId, async () => await Flows.GetTopupAsync(flowId, ct).ConfigureAwait(false), f => f is { State: TopupFlowState.Funded } || f?.IsFinished == true, timeout, ct)
            .ConfigureAwait(false);
        return flow ?? throw new DemoStepException("top-up", $"top-up flow {flowId} vanished from the store");
    }

    /// <summary>
    /// The recharge story: a sweeping VRP consent (<paramref name="pence"/> per payment, twice that per calendar month)
    /// authorised once at the sandbox and registered against the channel; then the payer SDK's client asks the service
    /// over HTTP for a recharge keyed by the low-balance crossing (channel + <paramref name="deposit"/>), waits for the
    /// flow to be funded, and asks again with the same key (same flow, nothing paid twice).
    /// </summary>
    public async Task<RechargeDemoResult> RechargeAsync(ChannelKey channel, System.Numerics.BigInteger deposit, string payer, string payee, long pence, TimeSpan timeout, CancellationToken ct)
    {
        var vrp = _host.Services.GetRequiredService<IVrpSweeps>();
        var terms = new VrpConsentTerms(
            pence, [new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Calendar, 2 * pence)], Debtor: new AccountIdentification(Scheme, DemoRunner.CustomerAccount, "Customer"));
        var setup = await vrp.CreateConsentAsync(Bank, terms, "demo-consent-" + Guid.NewGuid().ToString("N"), ct).ConfigureAwait(false);
        var consent = await vrp.AuthorizeHeadlessAsync(setup, ct).ConfigureAwait(false);
        var registered = await Flows.RegisterSweepingConsentAsync(BankSweepsOverVrp.ToSweepingConsent(consent, UserId, payer, payee, channel.ChannelId.ToString()), ct).ConfigureAwait(false);
        if (registered.Outcome != SweepingConsentOutcome.Registered)
        {
            throw new DemoStepException("recharge", $"the consent was not registered: {registered.Outcome} {registered.Detail}");
        }

        using var http = new HttpClient { BaseAddress = BaseUrl };
        var client = new SettlementRechargeClient(http);
        var key = LowBalanceRecharger.IdempotencyKey(channel, deposit);
        var first = await client.RequestAsync(consent.ConsentId, key, pence, channel.ChannelId.ToString(), ct).ConfigureAwait(false);
        if (!first.Accepted || first.FlowId is not { } id)
        {
            throw new DemoStepException("recharge", $"the settlement service refused the recharge: {first.Refusal} {first.Detail}");
        }

        var flow = await WaitAsync(id, async () => await Flows.GetRechargeAsync(id, ct).ConfigureAwait(false), f => f?.IsFinished == true, timeout, ct).ConfigureAwait(false)
            ?? throw new DemoStepException("recharge", $"recharge flow {id} vanished from the store");
        if (flow.State != TopupFlowState.Funded)
        {
            throw new DemoStepException("recharge", $"recharge flow {id} is {flow.State}{(flow.Problem is { } p ? $" ({p.Code}: {p.Detail})" : string.Empty)}");
        }

        var again = await client.RequestAsync(consent.ConsentId, key, pence, channel.ChannelId.ToString(), ct).ConfigureAwait(false);
        var sweep = await vrp.GetSweepStatusAsync(flow.BankOperationId.ToString("D"), ct).ConfigureAwait(false);
        return new RechargeDemoResult(
            consent.ConsentId, key, id, flow.State.ToString(), sweep?.PaymentId, flow.Funding?.TransactionHash, again.HttpStatus, again.Accepted && again.FlowId == id,
            sweep?.State == SweepState.Completed ? 1 : 0);
    }

    /// <summary>Waits until the service's indexer has booked every block up to <paramref name="block"/>.</summary>
    public async Task WaitIndexedAsync(ulong block, TimeSpan timeout, CancellationToken ct)
    {
        var store = _host.Services.GetRequiredService<IChainIndexStore>();
        var clock = Stopwatch.StartNew();
        while ((await store.GetCheckpointAsync(_stream, ct).ConfigureAwait(false))?.Block?.Number is not { } at || at < block)
        {
            if (clock.Elapsed > timeout)
            {
                throw new DemoStepException("settlement", $"the indexer has not reached block {block} after {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a payout batch for the demo's merchant and advances its flow until paid (or ended otherwise).</summary>
    public async Task<(PayoutBatchItem Item, PayoutFlow? Flow)> PayoutAsync(TimeSpan timeout, CancellationToken ct)
    {
        var batch = await Flows.RunPayoutBatchAsync([MerchantId], ct).ConfigureAwait(false);
        var item = batch.Items.Single();
        if (item.FlowId is not { } id)
        {
            return (item, null);
        }

        var flow = await WaitAsync(id, async () => await Flows.GetPayoutAsync(id, ct).ConfigureAwait(false), f => f?.IsFinished == true || f?.State == PayoutFlowState.Paid, timeout, ct)
            .ConfigureAwait(false);
        return (item, flow);
    }

    /// <summary>Reconciles bank, ledger and chain from what the service stored (not from direct reads).</summary>
    public Task<SettlementReconciliationReport> ReconcileAsync(CancellationToken ct) =>
        _host.Services.GetRequiredService<SettlementReconciliation>().RunAsync(ct);

    /// <summary>The balance of a GBP account of the flows: credits minus debits posted (what the platform owes or holds).</summary>
    public async Task<long> CreditBalanceAsync(Account account, CancellationToken ct)
    {
        var found = await Ledger.LookupAccountsAsync([account.Id], ct).ConfigureAwait(false);
        return found.Count == 0 ? 0 : (long)(Int128)(found[0].CreditsPosted - found[0].DebitsPosted);
    }

    /// <summary>Debits minus credits posted (an asset such as bank clearing).</summary>
    public async Task<long> DebitBalanceAsync(Account account, CancellationToken ct) => -await CreditBalanceAsync(account, ct).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping anyway
        }

        await _host.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<T> WaitAsync<T>(Guid id, Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, CancellationToken ct)
    {
        // The service's resume worker advances the flow too; advancing it here as well only shortens the wait (a step
        // runs once, whoever gets there first).
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await Flows.AdvanceAsync(id, ct).ConfigureAwait(false);
            var current = await read().ConfigureAwait(false);
            if (done(current) || clock.Elapsed > timeout)
            {
                return current;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        }
    }
}

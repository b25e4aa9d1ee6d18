using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Tokens;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Cli.Bank;
using Settlement.DashboardService;
using Settlement.Ethereum.Addresses;
using Settlement.DevChain;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Service.Flows;
using Settlement.PayeeService;
using Settlement.Service.Conversion;

namespace Settlement.Cli.Demo;

/// <summary>
/// The end-to-end run behind <c>l2pay demo</c>: bank sandbox and Anvil started here, a bank top-up through the
/// open-banking connector, a stablecoin channel opened on the user's behalf, off-chain voucher streaming, a
/// cooperative close, a payout back to the merchant's bank, and checks computed from what the bank and the chain
/// report. Every process it starts is stopped when it returns or throws.
/// </summary>
internal sealed class DemoRunner : IAsyncDisposable
{
    public const string CustomerAccount = "60161331926819";
    public const string MerchantAccount = "20000055555555";
    public const long CustomerStartPence = 10_000;

    /// <summary>The fee the demo's payout batch takes from the merchant's payout, in pence.</summary>
    public const long PayoutFeePence = 5;

    /// <summary>The one recharge the demo pulls under the sweeping VRP consent.</summary>
    public const long RechargePence = 500;
    private const string Scheme = "UK.OBIE.SortCodeAccountNumber";
    private const uint ChallengePeriodSeconds = 3600;
    private static readonly BigInteger GasMoney = BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture); // 100 ETH

    private readonly DemoOptions _options;
    private readonly TextWriter? _log;
    private readonly DemoSummary _summary = new();
    private readonly HttpClient _rpcHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "l2pay-demo-" + Guid.NewGuid().ToString("N"));
    private SandboxHost? _bank;
    private AnvilProcess? _anvil;
    private PrivateKey? _platformKey;
    private PrivateKey? _userKey;
    private PrivateKey? _merchantKey;
    private int _step;
    private ulong _startBlock;
    private DemoSettlement? _settlement;
    private DashboardServiceHost? _dashboard;

    public DemoRunner(DemoOptions options, TextWriter? log)
    {
        _options = options;
        _log = log;
    }

    public DemoSummary Summary => _summary;

    public async Task<DemoSummary> RunAsync(CancellationToken ct)
    {
        var total = Stopwatch.StartNew();

        // 1. Bank sandbox, in-process, HTTPS on 127.0.0.1.
        var bankStart = await StepAsync("bank sandbox", async () =>
        {
            var options = new SandboxOptions
            {
                Port = 0,
                TimeProvider = TimeProvider.System,
                AcceptanceDelay = TimeSpan.FromSeconds(1),
                SettlementDelay = TimeSpan.FromSeconds(1),
                BackgroundInterval = TimeSpan.FromMilliseconds(200),
                DefaultDebtorAccount = CustomerAccount,
            };
            options.Accounts.Add(new SandboxAccount { Identification = CustomerAccount, Name = "Customer", BalanceMinor = CustomerStartPence });
            options.Accounts.Add(new SandboxAccount { Identification = BankConnectorHost.SandboxPlatformAccount, Name = "Platform", BalanceMinor = 0 });
            options.Accounts.Add(new SandboxAccount { Identification = MerchantAccount, Name = "Merchant", BalanceMinor = 0 });
            _bank = await SandboxHost.StartAsync(options, ct).ConfigureAwait(false);
            var balances = ReadBank();
            _summary.BankUrl = _bank.BaseUrl.ToString();
            Say($"bank sandbox at {_bank.BaseUrl} (OBIE PIS and VRP v4.0, OIDC, TLS): {Format(balances)}");
            return balances;
        }).ConfigureAwait(false);
        _summary.BankStart = bankStart;

        // 2. Chain: a local Anvil, or --rpc-url.
        var rpc = await StepAsync("chain", async () =>
        {
            Uri url;
            if (_options.RpcUrl is { } given)
            {
                url = given;
            }
            else
            {
                _anvil = await AnvilProcess.StartAsync(new AnvilOptions(), ct).ConfigureAwait(false);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _anvil?.Dispose();
                url = _anvil.RpcUrl;
            }

            var probe = new EthereumRpcClient(_rpcHttp, new EthereumRpcOptions { Url = url });
            var chainId = await probe.GetChainIdAsync(ct).ConfigureAwait(false);
            var client = new EthereumRpcClient(_rpcHttp, new EthereumRpcOptions { Url = url, ChainId = chainId });
            await client.ConnectAsync(ct).ConfigureAwait(false);
            _summary.RpcUrl = url.ToString();
            _summary.ChainId = chainId;
            _summary.AnvilStarted = _anvil is not null;
            Say(_anvil is not null
                ? $"started Anvil at {url} (chain {chainId}); it is stopped when the demo ends"
                : $"using the node at {url} (chain {chainId})");
            return client;
        }).ConfigureAwait(false);

        // 3. Keys, gas money, contracts.
        var sender = new TransactionSender(rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(10) });
        var (token, channels, platform, user, merchant) = await StepAsync("keys and contracts", async () =>
        {
            _platformKey = PrivateKey.Generate();
            _userKey = PrivateKey.Generate();
            _merchantKey = PrivateKey.Generate();
            foreach (var key in new[] { _platformKey, _userKey, _merchantKey })
            {
                await SetBalanceAsync(rpc, key.Address, GasMoney, ct).ConfigureAwait(false);
            }

            var platformTx = new SignedTransactor(sender, _platformKey);
            _startBlock = await rpc.GetBlockNumberAsync(ct).ConfigureAwait(false) + 1;
            var stablecoin = await StablecoinContract.DeployAsync(rpc, platformTx, _platformKey.Address, ct).ConfigureAwait(false);
            var contract = await ChannelContract.DeployAsync(rpc, platformTx, ct).ConfigureAwait(false);
            _summary.Platform = _platformKey.Address.ToString();
            _summary.User = _userKey.Address.ToString();
            _summary.Merchant = _merchantKey.Address.ToString();
            _summary.Stablecoin = stablecoin.Address.ToString();
            _summary.Channels = contract.Address.ToString();
            Say($"fresh keys: platform {_platformKey.Address}, user {_userKey.Address}, merchant {_merchantKey.Address} (100 ETH each for gas)");
            Say($"deployed TestStablecoin (tGBP, treasury = platform) at {stablecoin.Address} and SettlementChannels at {contract.Address}");
            return (stablecoin, contract, platformTx, new SignedTransactor(sender, _userKey), new SignedTransactor(sender, _merchantKey));
        }).ConfigureAwait(false);
        var userAddress = user.Sender;
        var merchantAddress = merchant.Sender;

        // 4. The settlement service (the host of `l2pay serve settlement`): ledger, chain indexer, open-banking connector
        //    and the platform's flows, in this process.
        _settlement = await StepAsync("settlement service", async () =>
        {
            var certPath = Path.Combine(_stateDir, "sandbox-tls.pem");
            Directory.CreateDirectory(_stateDir);
            await File.WriteAllTextAsync(certPath, _bank!.TlsCertificate.ExportCertificatePem(), ct).ConfigureAwait(false);
            var settlement = await DemoSettlement.StartAsync(
                new BankConnectorSettings(new DirectoryInfo(_stateDir), null, _bank.BaseUrl, new FileInfo(certPath), Settlement.OpenBanking.Configuration.ObieVersion.V4_0),
                _stateDir, new Uri(_summary.RpcUrl!), _summary.ChainId, channels.Address.ToString(), token.Address.ToString(), _startBlock,
                _platformKey!, merchantAddress.ToString(), PayoutFeePence, ct).ConfigureAwait(false);
            Say($"settlement service at {settlement.BaseUrl}: SQLite ledger, chain indexer from block {_startBlock}, OBIE connector, top-up and payout flows (payout fee {Pounds(PayoutFeePence)})");
            return settlement;
        }).ConfigureAwait(false);

        if (_options.Dashboard)
        {
            // Read-only over the services' query endpoints; the payee and watchtower join when their steps start them.
            _dashboard = await DashboardServiceHost.StartAsync(new DashboardServiceOptions { Port = 0, SettlementUrl = _settlement!.BaseUrl, PollInterval = TimeSpan.FromMilliseconds(250) }, cancellationToken: ct)
                .ConfigureAwait(false);
            (_log ?? Console.Error).WriteLine($"      dashboard at {_dashboard.BaseUrl} (live; it stays up after the story until Ctrl+C)");
        }

        // 5. Top-up: a persisted flow — bank payment final → ledger credits the user → the platform mints and opens the
        //    user's channel → the indexer confirms → the ledger posts the funding.
        var (topupFlow, topup, channel, deposit) = await StepAsync("top-up flow", async () =>
        {
            Say($"top-up: the customer pays {Pounds(_options.TopupPence)} to the platform; the settlement service funds a channel user -> merchant with the same value");
            var flow = await _settlement!.TopupAsync(Guid.NewGuid(), _options.TopupPence, userAddress.ToString(), merchantAddress.ToString(), _options.BankTimeout, ct).ConfigureAwait(false);
            var op = await _settlement.Transfers.GetAsync(flow.BankOperationId, ct).ConfigureAwait(false);
            if (flow.State != TopupFlowState.Funded || op is null || flow.Funding?.ChannelId is not { } channelId)
            {
                throw new DemoStepException("top-up", $"top-up flow {flow.Id} is {flow.State}{(flow.Problem is { } p ? $" ({p.Code}: {p.Detail})" : string.Empty)}; bank payment {op?.PaymentId ?? "(none)"} {op?.State}");
            }

            var opened = await channels.FindOpenedAsync(ChannelId.Parse(channelId), BlockParameter.Latest, ct).ConfigureAwait(false)
                ?? throw new DemoStepException("top-up", $"the chain has no channel {channelId}");
            Say($"bank payment {op.PaymentId} {op.PaymentStatus} ({op.PaymentIdempotencyKey}); ledger credited the user; minted {StablecoinRate.FormatTokens(opened.Deposit)} (1p = {StablecoinRate.BaseUnitsPerPenny} units) and opened channel {channelId} in {flow.Funding.TransactionHash}; the indexer confirmed it and the ledger posted the funding");
            Say($"bank now {Format(ReadBank())}");
            return (flow, op, opened.Channel, opened.Deposit);
        }).ConfigureAwait(false);
        _summary.Topup = topup;
        _summary.ChannelId = channel.Id.ToString();
        _summary.Deposit = deposit;

        // 6. Streaming: signed by the user's device, sent over the payee service's WebSocket, verified and stored
        //    durably by the merchant's payee service before each acknowledgement.
        PayeeServiceOptions PayeeServiceSettings() => new()
        {
            Port = 0,
            Database = Path.Combine(_stateDir, "payee.db"),
            RpcUrl = new Uri(_summary.RpcUrl!),
            // A local dev node mines each transaction at once and never reorgs; a real chain wants more.
            Confirmations = 0,
            ReceiptEveryVouchers = Math.Max(1, _options.Vouchers / 4),
            Engine = new PayeeOptions { ChainId = _summary.ChainId, Contract = channels.Address.ToString() },
        };

        var streamed = await StepAsync("streaming", async () =>
        {
            var increment = StablecoinRate.ToBaseUnits(_options.IncrementPence);
            var service = PayeeServiceSettings();
            await using var payee = await PayeeServiceHost.StartAsync(service, _merchantKey, cancellationToken: ct).ConfigureAwait(false);
            _dashboard?.Upstreams.Payee = payee.BaseUrl;
            await using var stream = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, _summary.ChainId, channels.Address, ct).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var acks = new Task<AckFrame>[_options.Vouchers];
            for (var i = 1; i <= _options.Vouchers; i++)
            {
                // The user's device signs the new cumulative total; the merchant gets only wire data. Pipelined: the
                // service verifies in order and group-commits many vouchers per flush.
                var signed = channels.SignVoucher(_userKey!, channel.Id, increment * i);
                acks[i - 1] = stream.SendAsync(VoucherFrame.FromSignedVoucher(signed), ct);
            }

            var answers = await Task.WhenAll(acks).ConfigureAwait(false);
            clock.Stop();
            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i].Outcome != AckOutcome.Accepted)
                {
                    throw new DemoStepException("streaming", $"the merchant's payee service refused voucher {i + 1}: {answers[i].Outcome} {answers[i].RejectCode}");
                }
            }

            var last = increment * _options.Vouchers;
            var key = new ChannelKey(_summary.ChainId, channels.Address, channel.Id);
            var paid = payee.Engine.GetCredit(key)?.Paid ?? BigInteger.Zero;
            var receiptFrame = await stream.RequestReceiptAsync(channel.Id, ct).ConfigureAwait(false);
            var receipt = new PaymentReceipt(key, receiptFrame.CumulativeAmount, receiptFrame.IssuedAt, EcdsaSignature.ParseRsv(receiptFrame.Signature.Span));
            if (paid != last || receipt.Cumulative != last || !receipt.IsSignedBy(merchantAddress))
            {
                throw new DemoStepException("streaming", $"the payee stored {paid} and signed a receipt for {receipt.Cumulative}; expected {last} signed by the merchant");
            }

            var seconds = clock.Elapsed.TotalSeconds;
            _summary.StreamSeconds = seconds;
            _summary.VouchersPerSecond = seconds > 0 ? answers.Length / seconds : 0;
            _summary.VouchersAccepted = answers.Length;
            if (_dashboard is not null)
            {
                // The page's last look at this payee service before the step stops it.
                await _dashboard.RefreshAsync(ct).ConfigureAwait(false);
            }

            Say(string.Create(CultureInfo.InvariantCulture,
                $"streamed {answers.Length} vouchers of {Pounds(_options.IncrementPence)} over the payee service's WebSocket ({payee.StreamUrl}): signed by the user, verified and stored on disk by the merchant before each acknowledgement, in {seconds * 1000:F0} ms = {_summary.VouchersPerSecond:F0} vouchers/s (secp256k1: {Secp256k1Diagnostics.ActiveBackend}); newest {StablecoinRate.FormatTokens(last)}, receipt signed by the merchant"));
            return last;
        }).ConfigureAwait(false);
        _summary.Streamed = streamed;

        // 6b. The payer SDK on the user's devices: an IoT meter paying per unit and a streaming player paying per second.
        _summary.PayerSdk = await StepAsync("payer SDK: IoT meter and streaming player", () =>
        {
            var settings = PayeeServiceSettings();
            settings.ReceiptEveryVouchers = 20;
            return DemoPayerSdk.RunAsync(rpc, channels, _userKey!, user, _merchantKey!, settings, _stateDir, Say, ct);
        }).ConfigureAwait(false);

        // 6b'. A refund: the merchant pays back the unused part of a prepaid session (payee → payer voucher).
        _summary.Refund = await StepAsync("refund", () =>
            DemoRefund.RunAsync(rpc, channels, _userKey!, user, _merchantKey!, merchant, PayeeServiceSettings(), _stateDir, Say, ct)).ConfigureAwait(false);

        // 6c. A pay-per-request API: HTTP 402 answered by the payer SDK through a paying HttpClient handler.
        _summary.Http402 = await StepAsync("HTTP 402: pay per request", () =>
            DemoHttp402.RunAsync(rpc, channels, _userKey!, user, _merchantKey!, PayeeServiceSettings(), _stateDir, Say, ct)).ConfigureAwait(false);

        // 6d. Recharge through sweeping VRP: the user authorises a sweeping consent once; the channel's low-balance
        //     crossing asks the settlement service for a recharge (key = channel + deposit at the crossing), which pulls
        //     the money under the consent with no redirect and tops the channel up on chain. Asked twice, paid once.
        _summary.Recharge = await StepAsync("recharge through VRP sweeping", async () =>
        {
            var result = await _settlement!.RechargeAsync(
                new ChannelKey(_summary.ChainId, channels.Address, channel.Id), deposit, userAddress.ToString(), merchantAddress.ToString(), RechargePence, _options.BankTimeout, ct)
                .ConfigureAwait(false);
            var after = (await channels.GetStateAsync(channel.Id, null, ct).ConfigureAwait(false)).PayerDeposit;
            result = result with { DepositBefore = deposit, DepositAfter = after };
            Say($"sweeping consent {result.ConsentId} authorised once ({Pounds(RechargePence)} per payment, {Pounds(2 * RechargePence)} per month); low-balance crossing key '{result.IdempotencyKey}'");
            Say($"recharge flow {result.FlowId} {result.State}: sweep {result.PaymentId} under the consent, topped the channel up in {result.FundingTransaction}: deposit {StablecoinRate.FormatTokens(deposit)} -> {StablecoinRate.FormatTokens(after)}; asked again: HTTP {result.RepeatStatus}, same flow {result.RepeatSameFlow}");
            Say($"bank now {Format(ReadBank())}");
            return result;
        }).ConfigureAwait(false);
        deposit = _summary.Recharge.DepositAfter;

        // 7. Cooperative close with the final state signed by both.
        await StepAsync("cooperative close", async () =>
        {
            var userBefore = await token.BalanceOfAsync(userAddress, null, ct).ConfigureAwait(false);
            var merchantBefore = await token.BalanceOfAsync(merchantAddress, null, ct).ConfigureAwait(false);
            var final = new CooperativeCloseState(channel.Id, streamed, BigInteger.Zero, await DemoCloseDeadline.NextAsync(rpc, ct).ConfigureAwait(false));
            var userSignature = final.Sign(_userKey!, channels.Domain);
            var merchantSignature = final.Sign(_merchantKey!, channels.Domain);
            var receipt = await channels.CooperativeCloseAsync(merchant, channel, final, userSignature, merchantSignature, ct).ConfigureAwait(false);
            var userAfter = await token.BalanceOfAsync(userAddress, null, ct).ConfigureAwait(false);
            var merchantAfter = await token.BalanceOfAsync(merchantAddress, null, ct).ConfigureAwait(false);
            var state = await channels.GetStateAsync(channel.Id, null, ct).ConfigureAwait(false);
            _summary.MerchantPayout = merchantAfter - merchantBefore;
            _summary.UserRefund = userAfter - userBefore;
            _summary.ChannelSettled = !state.Exists;
            _summary.CloseGas = receipt.GasUsed;
            Say($"cooperative close (final state signed by user and merchant, sent by the merchant, {receipt.GasUsed} gas): merchant received {StablecoinRate.FormatTokens(_summary.MerchantPayout)}, user refunded {StablecoinRate.FormatTokens(_summary.UserRefund)}");
        }).ConfigureAwait(false);

        // 8. Payout: the merchant lets the platform burn its tGBP; a payout batch of the settlement service burns it and
        //    pays the GBP (less the fee) to the merchant's bank through PIS.
        var payout = await StepAsync("payout batch", async () =>
        {
            var held = await token.BalanceOfAsync(merchantAddress, null, ct).ConfigureAwait(false);
            await token.ApproveAsync(merchant, platform.Sender, held, ct).ConfigureAwait(false);
            Say($"the merchant holds {StablecoinRate.FormatTokens(held)} and lets the platform burn it (approve)");
            await _settlement!.WaitIndexedAsync(await rpc.GetBlockNumberAsync(ct).ConfigureAwait(false), _options.BankTimeout, ct).ConfigureAwait(false);
            var (item, flow) = await _settlement!.PayoutAsync(_options.BankTimeout, ct).ConfigureAwait(false);
            if (flow is not { State: PayoutFlowState.Paid })
            {
                throw new DemoStepException("payout", $"payout batch: {item.Outcome} {item.Detail}; flow {flow?.State}{(flow?.Problem is { } p ? $" ({p.Code}: {p.Detail})" : string.Empty)}");
            }

            var op = await _settlement.Transfers.GetAsync(flow.BankOperationId, ct).ConfigureAwait(false)
                ?? throw new DemoStepException("payout", $"no bank payout for flow {flow.Id}");
            _summary.Burned = StablecoinRate.ToBaseUnits(flow.Order.AmountPence);
            _summary.PayoutRemainder = held - _summary.Burned;
            _summary.PayoutFeePence = flow.Order.FeePence;
            Say($"payout flow {flow.Id}: burned {StablecoinRate.FormatTokens(_summary.Burned)} in {flow.Burn?.TransactionHash} (remainder below a penny kept by the merchant: {_summary.PayoutRemainder} units), fee {Pounds(flow.Order.FeePence)}, paid {Pounds(flow.Order.NetPence)}: payment {op.PaymentId} {op.PaymentStatus}");
            return op;
        }).ConfigureAwait(false);
        _summary.Payout = payout;

        // 8b. A watchtower wins the dispute against a stale close (a local Anvil only: the step moves chain time).
        if (_summary.AnvilStarted)
        {
            _summary.Watchtower = await StepAsync("watchtower dispute", async () =>
            {
                using var towerKey = PrivateKey.Generate();
                await SetBalanceAsync(rpc, towerKey.Address, GasMoney, ct).ConfigureAwait(false);
                return await DemoWatchtower.RunAsync(rpc, new Uri(_summary.RpcUrl!), _userKey!, _merchantKey!, _platformKey!, towerKey, _stateDir, Say, ct, url => _dashboard?.Upstreams.Watchtower = url)
                    .ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        // 9. Summary from real reads.
        await StepAsync("summary", async () =>
        {
            var bankEnd = ReadBank();
            _summary.BankEnd = bankEnd;
            _summary.ChainUser = await token.BalanceOfAsync(userAddress, null, ct).ConfigureAwait(false);
            _summary.ChainMerchant = await token.BalanceOfAsync(merchantAddress, null, ct).ConfigureAwait(false);
            _summary.ChainPlatform = await token.BalanceOfAsync(platform.Sender, null, ct).ConfigureAwait(false);
            _summary.ChainEscrow = await token.BalanceOfAsync(channels.Address, null, ct).ConfigureAwait(false);
            _summary.TotalSupply = await token.TotalSupplyAsync(null, ct).ConfigureAwait(false);

            var platformHeld = bankEnd.Platform - bankStart.Platform;
            var streamedPence = StablecoinRate.ToPence(streamed, out _);
            var reserve = await _settlement!.CreditBalanceAsync(SettlementAccounts.StablecoinReserve, ct).ConfigureAwait(false);
            var fees = await _settlement.CreditBalanceAsync(SettlementAccounts.Fees, ct).ConfigureAwait(false);
            var clearing = await _settlement.DebitBalanceAsync(SettlementAccounts.BankClearing, ct).ConfigureAwait(false);
            var userFunds = await _settlement.CreditBalanceAsync(SettlementAccounts.UserFunds(DemoSettlement.UserId), ct).ConfigureAwait(false);
            var merchantPayable = await _settlement.CreditBalanceAsync(SettlementAccounts.MerchantPayable(DemoSettlement.MerchantId), ct).ConfigureAwait(false);
            var journal = await _settlement.Ledger.VerifyJournalAsync(ct).ConfigureAwait(false);
            _summary.LedgerReservePence = reserve;
            _summary.LedgerFeesPence = fees;
            _summary.LedgerBankClearingPence = clearing;
            _summary.JournalHead = journal.HeadHash;
            _summary.JournalEntries = journal.Entries;
            _summary.AddCheck("channelClose", _summary.MerchantPayout + _summary.UserRefund == deposit && _summary.MerchantPayout == streamed && _summary.ChannelSettled,
                $"merchant payout {_summary.MerchantPayout} + user refund {_summary.UserRefund} = deposit {deposit}; merchant payout = newest voucher {streamed}; channel settled");
            _summary.AddCheck("backing", _summary.TotalSupply == StablecoinRate.ToBaseUnits(reserve) && platformHeld == reserve + fees,
                $"tGBP outstanding {StablecoinRate.FormatTokens(_summary.TotalSupply)} = the ledger's stablecoin reserve {Pounds(reserve)}; the platform's bank account {Pounds(platformHeld)} = reserve + fees {Pounds(fees)}");
            _summary.AddCheck("ledger", journal.Ok && clearing == platformHeld && userFunds == 0 && merchantPayable == 0 && fees == PayoutFeePence,
                $"journal verified ({journal.Entries} entries, head {journal.HeadHash}); bank clearing {Pounds(clearing)} = the platform's bank account; user funds {Pounds(userFunds)} and merchant payable {Pounds(merchantPayable)} all moved on; fees {Pounds(fees)}");
            var reconciliation = await _settlement.ReconcileAsync(ct).ConfigureAwait(false);
            _summary.ReconciliationBreaks = reconciliation.BreakCount;
            _summary.ReconciliationMatches = reconciliation.Run.Pairings.Sum(p => p.Matches.Count);
            _summary.AddCheck("reconciliation", reconciliation.BreakCount == 0 && _summary.ReconciliationMatches >= 4,
                $"bank, ledger and chain reconciled from stored data: {_summary.ReconciliationMatches} matches ({string.Join(", ", reconciliation.Run.Pairings.Select(p => $"{p.Pairing.Name} {p.Matches.Count}"))}), {reconciliation.BreakCount} breaks");
            _summary.AddCheck("bankConservation", bankEnd.Total == bankStart.Total,
                $"sum of sandbox balances {Pounds(bankStart.Total)} before = {Pounds(bankEnd.Total)} after");
            _summary.AddCheck("customerDebited", bankStart.Customer - bankEnd.Customer == _options.TopupPence + RechargePence,
                $"customer paid {Pounds(bankStart.Customer - bankEnd.Customer)} = top-up {Pounds(_options.TopupPence)} + recharge {Pounds(RechargePence)}");
            var recharge = _summary.Recharge!;
            _summary.AddCheck("vrpRecharge", recharge.State == nameof(TopupFlowState.Funded) && recharge.DepositAfter - recharge.DepositBefore == StablecoinRate.ToBaseUnits(RechargePence)
                && recharge.RepeatSameFlow && recharge.SweepsCompleted == 1,
                $"recharge {recharge.State}: channel deposit +{StablecoinRate.FormatTokens(recharge.DepositAfter - recharge.DepositBefore)} for {Pounds(RechargePence)}; the repeated request answered the same flow; {recharge.SweepsCompleted} sweep paid");
            _summary.AddCheck("merchantPaid", bankEnd.Merchant - bankStart.Merchant == streamedPence - PayoutFeePence,
                $"merchant bank received {Pounds(bankEnd.Merchant - bankStart.Merchant)} = streamed {Pounds(streamedPence)} - fee {Pounds(PayoutFeePence)}");
            if (_summary.PayerSdk is { } sdk)
            {
                _summary.AddCheck("payerSdkMeter", sdk.MeterSigned == sdk.MeterDue && sdk.MeterPayeeStored == sdk.MeterSigned && sdk.MeterAcknowledged == sdk.MeterSigned,
                    $"IoT meter: due {sdk.MeterDue} = signed {sdk.MeterSigned} = stored by the payee {sdk.MeterPayeeStored} = acknowledged {sdk.MeterAcknowledged} wei");
                _summary.AddCheck("payerSdkPlayer", sdk.PlayerPaused && sdk.LowBalanceCalls >= 1 && sdk.PlayerPayeeStored == sdk.PlayerSigned && sdk.PlayerAcknowledged == sdk.PlayerSigned,
                    $"player: paused when the topped-up deposit ran out after {sdk.PlayerSecondsPlayed} s; signed {sdk.PlayerSigned} = stored {sdk.PlayerPayeeStored} = acknowledged {sdk.PlayerAcknowledged} wei");
                _summary.AddCheck("payerSdkClose", sdk.MerchantReceivedWei == sdk.ClosedTotalWei && sdk.ClosedTotalWei == sdk.MeterSigned + sdk.PlayerSigned,
                    $"merchant received {sdk.MerchantReceivedWei} wei = newest vouchers {sdk.MeterSigned} + {sdk.PlayerSigned}");
            }

            if (_summary.Refund is { } refund)
            {
                _summary.AddCheck("refund", refund.PayerAccepted && refund.PayerStoredRefund == refund.Refunded && refund.Refunded > 0 && refund.Cooperative
                    && refund.ChainToPayee - refund.PayeeDeposit == refund.Prepaid - refund.Refunded
                    && refund.ChainToPayer == refund.Deposit - refund.Prepaid + refund.Refunded,
                    $"merchant deposit {refund.PayeeDeposit} wei; refund {refund.Refunded} wei accepted and stored by the payer SDK ({refund.PayerStoredRefund}); on chain the merchant got its deposit + {refund.ChainToPayee - refund.PayeeDeposit} = prepaid {refund.Prepaid} - refunded {refund.Refunded}, the user {refund.ChainToPayer}");
            }

            if (_summary.Http402 is { } api)
            {
                _summary.AddCheck("http402", api.Served == api.Requests && api.PaymentRequiredAnswers == 1 && api.Signed == api.PricePerRequest * api.Requests
                    && api.PayeeStored == api.Signed && api.ClosedWei == api.Signed && api.ReceiptsKept == api.Requests,
                    $"{api.Served}/{api.Requests} paid calls, {api.PaymentRequiredAnswers} 402, signed {api.Signed} wei = stored {api.PayeeStored} = paid out {api.ClosedWei}, {api.ReceiptsKept} receipts");
            }

            if (_summary.Watchtower is { } tower)
            {
                _summary.AddCheck("watchtowerDispute", tower.MerchantReceived == tower.Held && tower.UserReturned == DemoWatchtower.Deposit - tower.Held
                    && tower.Escrow.IsZero && tower.RedeemTimestamp <= tower.Deadline && tower.Alerts == 0,
                    $"stale close at {tower.StaleRedeemed} wei answered after {tower.MissedBlocks} missed blocks: merchant received {tower.MerchantReceived} = newest voucher {tower.Held}, user got back {tower.UserReturned}, redeemed {tower.Deadline - tower.RedeemTimestamp} s before the deadline, escrow {tower.Escrow}, {tower.Alerts} alerts");
            }

            _summary.AddCheck("escrowEmpty", _summary.ChainEscrow.IsZero,
                $"channel contract holds {StablecoinRate.FormatTokens(_summary.ChainEscrow)}");

            _summary.ElapsedSeconds = total.Elapsed.TotalSeconds;
            Say($"bank: {Format(bankEnd)}");
            Say($"chain: user {StablecoinRate.FormatTokens(_summary.ChainUser)}, merchant {StablecoinRate.FormatTokens(_summary.ChainMerchant)}, platform {StablecoinRate.FormatTokens(_summary.ChainPlatform)}, channel escrow {StablecoinRate.FormatTokens(_summary.ChainEscrow)}, outstanding {StablecoinRate.FormatTokens(_summary.TotalSupply)}");
            foreach (var check in _summary.Checks)
            {
                _log?.WriteLine($"      {(check.Passed ? "ok  " : "FAIL")} {check.Name}: {check.Detail}");
            }
        }).ConfigureAwait(false);

        return _summary;
    }

    /// <summary>With <see cref="DemoOptions.Dashboard"/>: keeps the dashboard (and the settlement service it reads) up until Ctrl+C.</summary>
    public async Task HoldDashboardAsync(CancellationToken ct)
    {
        if (_dashboard is null)
        {
            return;
        }

        (_log ?? Console.Error).WriteLine($"the story is over; the dashboard stays at {_dashboard.BaseUrl} until Ctrl+C (services that stopped show their last answer)");
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C ends the hold, not the demo: its summary follows.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync().ConfigureAwait(false);
            _dashboard = null;
        }

        if (_settlement is not null)
        {
            await _settlement.DisposeAsync().ConfigureAwait(false);
            _settlement = null;
        }

        if (_bank is not null)
        {
            await _bank.DisposeAsync().ConfigureAwait(false);
            _bank = null;
        }

        _anvil?.Dispose();
        _anvil = null;
        _platformKey?.Dispose();
        _userKey?.Dispose();
        _merchantKey?.Dispose();
        _rpcHttp.Dispose();
        try
        {
            if (Directory.Exists(_stateDir))
            {
                Directory.Delete(_stateDir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private static string Pounds(long pence) => StablecoinRate.FormatPounds(pence);

    private static string Format(BankBalances b) =>
        $"customer {Pounds(b.Customer)}, platform {Pounds(b.Platform)}, merchant {Pounds(b.Merchant)}";

    private static async Task SetBalanceAsync(EthereumRpcClient rpc, Address account, BigInteger wei, CancellationToken ct)
    {
        var quantity = "0x" + wei.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        try
        {
            await rpc.RequestAsync("anvil_setBalance", [JsonValue.Create(account.ToLowerHex()), JsonValue.Create(quantity)], ct).ConfigureAwait(false);
        }
        catch (JsonRpcServerException)
        {
            // Hardhat spells it differently; any other node cannot mint ETH for the demo's fresh keys.
            await rpc.RequestAsync("hardhat_setBalance", [JsonValue.Create(account.ToLowerHex()), JsonValue.Create(quantity)], ct).ConfigureAwait(false);
        }
    }

    private BankBalances ReadBank() => new(
        _bank!.Accounts.GetBalance(CustomerAccount),
        _bank.Accounts.GetBalance(BankConnectorHost.SandboxPlatformAccount),
        _bank.Accounts.GetBalance(MerchantAccount),
        _bank.Accounts.All().Sum(a => a.BalanceMinor));

    private void Say(string line) => _log?.WriteLine("      " + line);

    private async Task<T> StepAsync<T>(string name, Func<Task<T>> body)
    {
        _step++;
        _log?.WriteLine($"[{_step}] {name}");
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (DemoStepException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Name the real cause, not the wrapper a reflection or DI call put around it.
            var cause = e;
            while (cause is System.Reflection.TargetInvocationException or AggregateException && cause.InnerException is { } inner)
            {
                cause = inner;
            }

            throw new DemoStepException(name, $"{cause.GetType().Name}: {cause.Message}", e);
        }
    }

    private Task StepAsync(string name, Func<Task> body) =>
        StepAsync(name, async () =>
        {
            await body().ConfigureAwait(false);
            return true;
        });
}

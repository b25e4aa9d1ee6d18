using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Demo;

/// <summary>What the demo did and read back; written as one JSON object with <c>--json</c>.</summary>
internal sealed class DemoSummary
{
    public const string Next =
        "Watch the story live: l2pay demo --dashboard.";

    private readonly List<DemoCheck> _checks = [];

    public string? BankUrl { get; set; }

    public string? RpcUrl { get; set; }

    public ulong ChainId { get; set; }

    public bool AnvilStarted { get; set; }

    public string? Platform { get; set; }

    public string? User { get; set; }

    public string? Merchant { get; set; }

    public string? Stablecoin { get; set; }

    public string? Channels { get; set; }

    public BankBalances? BankStart { get; set; }

    public BankBalances? BankEnd { get; set; }

    public TransferOperation? Topup { get; set; }

    public TransferOperation? Payout { get; set; }

    public string? ChannelId { get; set; }

    public BigInteger Deposit { get; set; }

    public int VouchersAccepted { get; set; }

    public double StreamSeconds { get; set; }

    public double VouchersPerSecond { get; set; }

    public BigInteger Streamed { get; set; }

    public PayerSdkResult? PayerSdk { get; set; }

    public RechargeDemoResult? Recharge { get; set; }

    public RefundDemoResult? Refund { get; set; }

    public Http402Result? Http402 { get; set; }

    public WatchtowerDemoResult? Watchtower { get; set; }

    public BigInteger MerchantPayout { get; set; }

    public BigInteger UserRefund { get; set; }

    public bool ChannelSettled { get; set; }

    public ulong CloseGas { get; set; }

    public BigInteger Burned { get; set; }

    public BigInteger PayoutRemainder { get; set; }

    public long PayoutFeePence { get; set; }

    public long LedgerReservePence { get; set; }

    public long LedgerFeesPence { get; set; }

    public long LedgerBankClearingPence { get; set; }

    public string? JournalHead { get; set; }

    public long JournalEntries { get; set; }

    public int ReconciliationMatches { get; set; }

    public int ReconciliationBreaks { get; set; }

    public BigInteger ChainUser { get; set; }

    public BigInteger ChainMerchant { get; set; }

    public BigInteger ChainPlatform { get; set; }

    public BigInteger ChainEscrow { get; set; }

    public BigInteger TotalSupply { get; set; }

    public double ElapsedSeconds { get; set; }

    public IReadOnlyList<DemoCheck> Checks => _checks;

    public bool AllChecksPassed => _checks.Count > 0 && _checks.TrueForAll(c => c.Passed);

    public void AddCheck(string name, bool passed, string detail) => _checks.Add(new DemoCheck(name, passed, detail));

    public void Write(Utf8JsonWriter w, DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(options);
        w.WriteBoolean("ok", AllChecksPassed);
        w.WriteNumber("elapsedSeconds", Math.Round(ElapsedSeconds, 3));

        w.WriteStartObject("bank");
        w.WriteString("url", BankUrl);
        WriteBalances(w, "start", BankStart);
        WriteBalances(w, "end", BankEnd);
        w.WriteEndObject();

        w.WriteStartObject("chain");
        w.WriteString("rpcUrl", RpcUrl);
        w.WriteNumber("chainId", ChainId);
        w.WriteBoolean("anvilStarted", AnvilStarted);
        w.WriteString("stablecoin", Stablecoin);
        w.WriteString("channels", Channels);
        w.WriteString("platform", Platform);
        w.WriteString("user", User);
        w.WriteString("merchant", Merchant);
        w.WriteString("userBalance", Units(ChainUser));
        w.WriteString("merchantBalance", Units(ChainMerchant));
        w.WriteString("platformBalance", Units(ChainPlatform));
        w.WriteString("channelEscrow", Units(ChainEscrow));
        w.WriteString("totalSupply", Units(TotalSupply));
        w.WriteEndObject();

        WriteTransfer(w, "topup", Topup);

        w.WriteStartObject("channel");
        w.WriteString("id", ChannelId);
        w.WriteString("deposit", Units(Deposit));
        w.WriteBoolean("settled", ChannelSettled);
        w.WriteNumber("closeGas", CloseGas);
        w.WriteString("merchantPayout", Units(MerchantPayout));
        w.WriteString("userRefund", Units(UserRefund));
        w.WriteEndObject();

        w.WriteStartObject("streaming");
        w.WriteNumber("vouchers", VouchersAccepted);
        w.WriteNumber("incrementPence", options.IncrementPence);
        w.WriteString("streamed", Units(Streamed));
        w.WriteNumber("seconds", Math.Round(StreamSeconds, 4));
        w.WriteNumber("vouchersPerSecond", Math.Round(VouchersPerSecond));
        w.WriteString("secp256k1", Settlement.Ethereum.Signing.Secp256k1Diagnostics.ActiveBackend);
        w.WriteEndObject();

        if (Http402 is { } api)
        {
            w.WriteStartObject("http402");
            w.WriteString("channelId", api.ChannelId);
            w.WriteNumber("requests", api.Requests);
            w.WriteNumber("served", api.Served);
            w.WriteNumber("paymentRequiredAnswers", api.PaymentRequiredAnswers);
            w.WriteString("pricePerRequestWei", api.PricePerRequest.ToString(CultureInfo.InvariantCulture));
            w.WriteString("signedWei", api.Signed.ToString(CultureInfo.InvariantCulture));
            w.WriteString("payeeStoredWei", api.PayeeStored.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("receiptsKept", api.ReceiptsKept);
            w.WriteString("closedWei", api.ClosedWei.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (Watchtower is { } tower)
        {
            w.WriteStartObject("watchtower");
            w.WriteString("channelId", tower.ChannelId);
            w.WriteString("staleRedeemedWei", tower.StaleRedeemed.ToString(CultureInfo.InvariantCulture));
            w.WriteString("heldWei", tower.Held.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("missedBlocks", tower.MissedBlocks);
            w.WriteNumber("blocksCaughtUp", tower.BlocksCaughtUp);
            w.WriteNumber("secondsBeforeDeadline", tower.Deadline - tower.RedeemTimestamp);
            w.WriteString("merchantReceivedWei", tower.MerchantReceived.ToString(CultureInfo.InvariantCulture));
            w.WriteString("userReturnedWei", tower.UserReturned.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("alerts", tower.Alerts);
            w.WriteEndObject();
        }

        if (PayerSdk is { } sdk)
        {
            w.WriteStartObject("payerSdk");
            w.WriteStartObject("iotMeter");
            w.WriteString("channelId", sdk.MeterChannel);
            w.WriteNumber("readings", sdk.MeterReadings);
            w.WriteString("units", sdk.MeterUnits.ToString(CultureInfo.InvariantCulture));
            w.WriteString("dueWei", sdk.MeterDue.ToString(CultureInfo.InvariantCulture));
            w.WriteString("signedWei", sdk.MeterSigned.ToString(CultureInfo.InvariantCulture));
            w.WriteString("payeeStoredWei", sdk.MeterPayeeStored.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartObject("streamingPlayer");
            w.WriteString("channelId", sdk.PlayerChannel);
            w.WriteNumber("secondsPlayed", sdk.PlayerSecondsPlayed);
            w.WriteBoolean("paused", sdk.PlayerPaused);
            w.WriteNumber("lowBalanceCalls", sdk.LowBalanceCalls);
            w.WriteString("signedWei", sdk.PlayerSigned.ToString(CultureInfo.InvariantCulture));
            w.WriteString("payeeStoredWei", sdk.PlayerPayeeStored.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteNumber("receiptsKept", sdk.ReceiptsKept);
            w.WriteString("merchantReceivedWei", sdk.MerchantReceivedWei.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (Refund is { } refund)
        {
            w.WriteStartObject("refund");
            w.WriteString("channelId", refund.ChannelId);
            w.WriteString("depositWei", refund.Deposit.ToString(CultureInfo.InvariantCulture));
            w.WriteString("payeeDepositWei", refund.PayeeDeposit.ToString(CultureInfo.InvariantCulture));
            w.WriteString("prepaidWei", refund.Prepaid.ToString(CultureInfo.InvariantCulture));
            w.WriteString("refundedWei", refund.Refunded.ToString(CultureInfo.InvariantCulture));
            w.WriteString("payerStoredRefundWei", refund.PayerStoredRefund.ToString(CultureInfo.InvariantCulture));
            w.WriteString("chainToPayerWei", refund.ChainToPayer.ToString(CultureInfo.InvariantCulture));
            w.WriteString("chainToPayeeWei", refund.ChainToPayee.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        if (Recharge is { } recharge)
        {
            w.WriteStartObject("vrpRecharge");
            w.WriteString("consentId", recharge.ConsentId);
            w.WriteString("idempotencyKey", recharge.IdempotencyKey);
            w.WriteString("flowId", recharge.FlowId.ToString());
            w.WriteString("state", recharge.State);
            w.WriteString("paymentId", recharge.PaymentId);
            w.WriteString("fundingTransaction", recharge.FundingTransaction);
            w.WriteString("depositBefore", Units(recharge.DepositBefore));
            w.WriteString("depositAfter", Units(recharge.DepositAfter));
            w.WriteNumber("repeatStatus", recharge.RepeatStatus);
            w.WriteBoolean("repeatSameFlow", recharge.RepeatSameFlow);
            w.WriteNumber("sweepsCompleted", recharge.SweepsCompleted);
            w.WriteEndObject();
        }

        WriteTransfer(w, "payout", Payout);
        w.WritePropertyName("payoutChain");
        w.WriteStartObject();
        w.WriteString("burned", Units(Burned));
        w.WriteString("remainderKeptByMerchant", Units(PayoutRemainder));
        w.WriteNumber("feePence", PayoutFeePence);
        w.WriteEndObject();

        w.WriteStartObject("ledger");
        w.WriteNumber("stablecoinReservePence", LedgerReservePence);
        w.WriteNumber("feesPence", LedgerFeesPence);
        w.WriteNumber("bankClearingPence", LedgerBankClearingPence);
        w.WriteNumber("journalEntries", JournalEntries);
        w.WriteString("journalHead", JournalHead);
        w.WriteEndObject();

        w.WriteStartObject("reconciliation");
        w.WriteNumber("matches", ReconciliationMatches);
        w.WriteNumber("breaks", ReconciliationBreaks);
        w.WriteEndObject();

        w.WriteStartObject("checks");
        foreach (var check in _checks)
        {
            w.WriteBoolean(check.Name, check.Passed);
        }

        w.WriteEndObject();
        w.WriteStartArray("checkDetails");
        foreach (var check in _checks)
        {
            w.WriteStartObject();
            w.WriteString("name", check.Name);
            w.WriteBoolean("passed", check.Passed);
            w.WriteString("detail", check.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("next", Next);
    }

    private static string Units(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static void WriteBalances(Utf8JsonWriter w, string name, BankBalances? b)
    {
        if (b is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("customer", b.Customer);
        w.WriteNumber("platform", b.Platform);
        w.WriteNumber("merchant", b.Merchant);
        w.WriteNumber("total", b.Total);
        w.WriteEndObject();
    }

    private static void WriteTransfer(Utf8JsonWriter w, string name, TransferOperation? op)
    {
        if (op is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("operationId", op.Id.ToString());
        w.WriteString("state", op.State.ToString());
        w.WriteNumber("amountPence", op.Instruction.Amount.MinorUnits);
        w.WriteString("consentId", op.ConsentId);
        w.WriteString("paymentId", op.PaymentId);
        w.WriteString("paymentStatus", op.PaymentStatus);
        w.WriteString("paymentIdempotencyKey", op.PaymentIdempotencyKey);
        w.WriteEndObject();
    }
}

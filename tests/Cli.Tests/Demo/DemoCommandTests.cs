using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Settlement.Cli.Tests.Demo;

/// <summary>
/// <c>l2pay demo</c> as a process: the bank sandbox, Anvil, the connector and the contracts for real. The
/// assertions recompute the outcomes from the numbers the demo read back, not from its own verdicts alone.
/// </summary>
public sealed class DemoCommandTests
{
    private const int Vouchers = 200;
    private const long PennyUnits = 10_000;
    private const long FeePence = 5;
    private const long RechargePence = 500;

    [Fact]
    public async Task Demo_Json_RunsEndToEndAndEveryCheckHolds()
    {
        var run = await L2pay.RunAsync("demo", "--json", "--vouchers", Vouchers.ToString(CultureInfo.InvariantCulture));

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stderr.ShouldBeEmpty();
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        root.GetProperty("ok").GetBoolean().ShouldBeTrue();
        var checks = root.GetProperty("checks").EnumerateObject().ToList();
        checks.Select(c => c.Name).ShouldBe(
            ["channelClose", "backing", "ledger", "reconciliation", "bankConservation", "customerDebited", "merchantPaid", "payerSdkMeter", "payerSdkPlayer", "payerSdkClose", "refund", "http402", "vrpRecharge", "watchtowerDispute", "escrowEmpty"],
            ignoreOrder: true);
        checks.ShouldAllBe(c => c.Value.GetBoolean());
        var tower = root.GetProperty("watchtower");
        tower.GetProperty("merchantReceivedWei").GetString().ShouldBe(tower.GetProperty("heldWei").GetString());
        tower.GetProperty("blocksCaughtUp").GetInt64().ShouldBeGreaterThanOrEqualTo(tower.GetProperty("missedBlocks").GetInt64());
        tower.GetProperty("secondsBeforeDeadline").GetInt64().ShouldBeGreaterThanOrEqualTo(0);

        // Bank: the customer paid the top-up, the merchant received what was streamed, nothing was created or lost.
        var sdk = root.GetProperty("payerSdk");
        sdk.GetProperty("iotMeter").GetProperty("signedWei").GetString().ShouldBe(sdk.GetProperty("iotMeter").GetProperty("payeeStoredWei").GetString());
        sdk.GetProperty("iotMeter").GetProperty("signedWei").GetString().ShouldBe(sdk.GetProperty("iotMeter").GetProperty("dueWei").GetString());
        sdk.GetProperty("streamingPlayer").GetProperty("paused").GetBoolean().ShouldBeTrue();
        sdk.GetProperty("streamingPlayer").GetProperty("signedWei").GetString().ShouldBe(sdk.GetProperty("streamingPlayer").GetProperty("payeeStoredWei").GetString());
        sdk.GetProperty("receiptsKept").GetInt32().ShouldBeGreaterThan(0);

        // Refund: the payer SDK stored what the merchant refunded; the chain paid the merchant its deposit + prepaid - refunded.
        var refund = root.GetProperty("refund");
        var refunded = BigInteger.Parse(refund.GetProperty("refundedWei").GetString()!, CultureInfo.InvariantCulture);
        refund.GetProperty("payerStoredRefundWei").GetString().ShouldBe(refund.GetProperty("refundedWei").GetString());
        refunded.ShouldBeGreaterThan(BigInteger.Zero);
        (BigInteger.Parse(refund.GetProperty("chainToPayeeWei").GetString()!, CultureInfo.InvariantCulture)
            - BigInteger.Parse(refund.GetProperty("payeeDepositWei").GetString()!, CultureInfo.InvariantCulture))
            .ShouldBe(BigInteger.Parse(refund.GetProperty("prepaidWei").GetString()!, CultureInfo.InvariantCulture) - refunded);

        // HTTP 402: every call paid, one 402 in all (the first), the payee stored what the SDK signed, and it was paid out.
        var api = root.GetProperty("http402");
        api.GetProperty("served").GetInt32().ShouldBe(api.GetProperty("requests").GetInt32());
        api.GetProperty("paymentRequiredAnswers").GetInt32().ShouldBe(1);
        api.GetProperty("payeeStoredWei").GetString().ShouldBe(api.GetProperty("signedWei").GetString());
        api.GetProperty("closedWei").GetString().ShouldBe(api.GetProperty("signedWei").GetString());
        api.GetProperty("receiptsKept").GetInt32().ShouldBe(api.GetProperty("requests").GetInt32());

        var bank = root.GetProperty("bank");
        var start = bank.GetProperty("start");
        var end = bank.GetProperty("end");
        var topup = root.GetProperty("topup");
        var payout = root.GetProperty("payout");
        topup.GetProperty("state").GetString().ShouldBe("Completed");
        topup.GetProperty("paymentStatus").GetString().ShouldBe("ACSC"); // OBIE v4.0 (ISO 20022) for AcceptedSettlementCompleted: the demo's bank speaks v4.0 for VRP
        payout.GetProperty("state").GetString().ShouldBe("Completed");
        var topupPence = topup.GetProperty("amountPence").GetInt64();
        topupPence.ShouldBe(2000);
        start.GetProperty("customer").GetInt64().ShouldBe(10_000);
        (start.GetProperty("customer").GetInt64() - end.GetProperty("customer").GetInt64()).ShouldBe(topupPence + RechargePence);
        (end.GetProperty("merchant").GetInt64() - start.GetProperty("merchant").GetInt64()).ShouldBe(Vouchers - FeePence);
        payout.GetProperty("amountPence").GetInt64().ShouldBe(Vouchers - FeePence);
        end.GetProperty("total").GetInt64().ShouldBe(start.GetProperty("total").GetInt64());
        (end.GetProperty("customer").GetInt64() + end.GetProperty("platform").GetInt64() + end.GetProperty("merchant").GetInt64())
            .ShouldBe(end.GetProperty("total").GetInt64());

        // Recharge through VRP sweeping: one sweep, the channel's deposit read back from the chain grew by its value,
        // the same key asked again answered the same flow.
        var recharge = root.GetProperty("vrpRecharge");
        recharge.GetProperty("state").GetString().ShouldBe("Funded");
        recharge.GetProperty("sweepsCompleted").GetInt32().ShouldBe(1);
        recharge.GetProperty("repeatStatus").GetInt32().ShouldBe(200);
        recharge.GetProperty("repeatSameFlow").GetBoolean().ShouldBeTrue();
        (Units(recharge, "depositAfter") - Units(recharge, "depositBefore")).ShouldBe(RechargePence * PennyUnits);

        // Channel: deposit = top-up at 1p = 10,000 units, + the recharge; merchant got the newest voucher, the user the rest.
        var channel = root.GetProperty("channel");
        var streaming = root.GetProperty("streaming");
        var deposit = Units(channel, "deposit") + (RechargePence * PennyUnits);
        var streamed = Units(streaming, "streamed");
        Units(channel, "deposit").ShouldBe(topupPence * PennyUnits);
        Units(recharge, "depositAfter").ShouldBe(deposit);
        streaming.GetProperty("vouchers").GetInt32().ShouldBe(Vouchers);
        streamed.ShouldBe(Vouchers * PennyUnits);
        Units(channel, "merchantPayout").ShouldBe(streamed);
        (Units(channel, "merchantPayout") + Units(channel, "userRefund")).ShouldBe(deposit);
        channel.GetProperty("settled").GetBoolean().ShouldBeTrue();
        streaming.GetProperty("vouchersPerSecond").GetDouble().ShouldBeGreaterThan(0);

        // Chain: the merchant's tokens were burned, the user's refund is still backed by GBP the platform holds.
        var chain = root.GetProperty("chain");
        Units(chain, "merchantBalance").ShouldBe(BigInteger.Zero);
        Units(chain, "channelEscrow").ShouldBe(BigInteger.Zero);
        Units(chain, "userBalance").ShouldBe(deposit - streamed);
        Units(chain, "totalSupply").ShouldBe((end.GetProperty("platform").GetInt64() - FeePence) * PennyUnits);
        Units(root.GetProperty("payoutChain"), "burned").ShouldBe(streamed);
        root.GetProperty("payoutChain").GetProperty("feePence").GetInt64().ShouldBe(FeePence);

        // Ledger (the settlement service's): GBP reserve = tGBP outstanding; the platform's bank = bank clearing = reserve + fees.
        var ledger = root.GetProperty("ledger");
        ledger.GetProperty("stablecoinReservePence").GetInt64().ShouldBe(topupPence + RechargePence - Vouchers);
        ledger.GetProperty("feesPence").GetInt64().ShouldBe(FeePence);
        ledger.GetProperty("bankClearingPence").GetInt64().ShouldBe(end.GetProperty("platform").GetInt64());
        ledger.GetProperty("journalEntries").GetInt64().ShouldBeGreaterThan(0);
        ledger.GetProperty("journalHead").GetString()!.Length.ShouldBe(64);

        // Reconciliation from the service's stored data: top-up, recharge and payout at the bank and on chain each match the ledger.
        var reconciliation = root.GetProperty("reconciliation");
        reconciliation.GetProperty("breaks").GetInt32().ShouldBe(0);
        reconciliation.GetProperty("matches").GetInt32().ShouldBe(6);
        var addresses = new[] { "platform", "user", "merchant", "stablecoin", "channels" }.Select(n => chain.GetProperty(n).GetString()).ToList();
        addresses.ShouldAllBe(a => a != null && a.StartsWith("0x", StringComparison.Ordinal) && a.Length == 42);
        addresses.Distinct().Count().ShouldBe(addresses.Count);
        chain.GetProperty("anvilStarted").GetBoolean().ShouldBeTrue();

        // The Anvil it started is gone.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var body = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", Encoding.UTF8, "application/json");
        await Should.ThrowAsync<HttpRequestException>(() => http.PostAsync(new Uri(chain.GetProperty("rpcUrl").GetString()!), body));
    }

    [Fact]
    public async Task Demo_UnreachableNode_FailsNamingTheStepWithNothingOnStdout()
    {
        var run = await L2pay.RunAsync("demo", "--json", "--vouchers", "10", "--rpc-url", "http://127.0.0.1:9/");

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("step 'chain' failed");
    }

    [Fact]
    public async Task Demo_VouchersBeyondTheDeposit_IsAUsageError()
    {
        var run = await L2pay.RunAsync("demo", "--vouchers", "2001");

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("--vouchers");
    }

    [Fact]
    public async Task Demo_StreamedNoMoreThanThePayoutFee_IsAUsageError()
    {
        var run = await L2pay.RunAsync("demo", "--vouchers", "5");

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("payout fee of 5 pence");
    }

    private static BigInteger Units(JsonElement parent, string name) =>
        BigInteger.Parse(parent.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}

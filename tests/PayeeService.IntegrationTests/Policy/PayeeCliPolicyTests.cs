using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Payee.Policy;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Policy;

/// <summary>
/// <c>l2pay channel dispute | settle | redeem-batch</c> as real processes against Anvil, over a payee database the test
/// fills. The payee here is an account of its own (dev account 7) and a third party settles (dev account 8), so the
/// processes' transactions never surprise the shared world's nonce manager.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PayeeCliPolicyTests(PayeeWorldFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private PolicyHarness _harness = null!;
    private PrivateKey _payee = null!;

    private string PayeeKeyFile => Path.Combine(Path.GetDirectoryName(_harness.DatabasePath)!, "payee.key");

    private string OtherKeyFile => Path.Combine(Path.GetDirectoryName(_harness.DatabasePath)!, "other.key");

    private string[] Common => ["--rpc-url", fixture.Node.RpcUrl.ToString(), "--contract", fixture.Contract.ToString()];

    public async Task InitializeAsync()
    {
        _harness = await new PolicyHarness(fixture).InitializeAsync();
        _payee = PrivateKey.ParseHex(fixture.Node.DevPrivateKeys[7]);
        await File.WriteAllTextAsync(PayeeKeyFile, fixture.Node.DevPrivateKeys[7]);
        await File.WriteAllTextAsync(OtherKeyFile, fixture.Node.DevPrivateKeys[8]);
    }

    public async Task DisposeAsync()
    {
        _payee.Dispose();
        await _harness.DisposeAsync();
    }

    private Task<TestChannel> OpenAsync(BigInteger deposit) => fixture.OpenChannelAsync(deposit, _payee.Address);

    [Fact]
    public async Task DisputeThenSettle_StaleUnilateralClose_PayeeEndsWithNewestAndAThirdPartySettles()
    {
        var channel = await OpenAsync(100_000);
        await _harness.HoldAsync(channel, 60_000);
        await fixture.World.Channels.StartCloseWithVoucherAsync(fixture.World.Payer, channel.Parameters, channel.Sign(10_000));
        var payeeBefore = await fixture.World.Token.BalanceOfAsync(_payee.Address);
        string[] dispute = ["channel", "dispute", "--key-file", PayeeKeyFile, "--db", _harness.DatabasePath, .. Common, "--channel", channel.Id.ToString()];

        var disputed = (await RunAsync(dispute, 0))!.Value;

        disputed.GetProperty("result").GetString().ShouldBe("redeemed");
        disputed.GetProperty("redeemedBefore").GetString().ShouldBe("10000");
        disputed.GetProperty("redeemed").GetString().ShouldBe("60000");
        disputed.GetProperty("transactions").GetArrayLength().ShouldBe(1);
        (await fixture.World.Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(new BigInteger(60_000));
        (await fixture.World.Token.BalanceOfAsync(_payee.Address) - payeeBefore).ShouldBe(new BigInteger(50_000));
        (await RunAsync(dispute, 0))!.Value.GetProperty("result").GetString().ShouldBe("nothingNewer");

        string[] settle = ["channel", "settle", "--key-file", OtherKeyFile, .. Common, "--channel", channel.Id.ToString()];
        var early = (await RunAsync(settle, 3))!.Value;
        early.GetProperty("result").GetString().ShouldBe("refused");
        early.GetProperty("detail").GetString().ShouldBe("ChallengePeriodActive");
        (await fixture.World.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeTrue();

        await fixture.World.PassChallengePeriodAsync();
        var settled = (await RunAsync(settle, 0))!.Value;

        settled.GetProperty("result").GetString().ShouldBe("settled");
        settled.GetProperty("toPayer").GetString().ShouldBe("40000");
        settled.GetProperty("toPayee").GetString().ShouldBe("0");
        (await fixture.World.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await RunAsync(settle, 0))!.Value.GetProperty("result").GetString().ShouldBe("alreadySettled");
    }

    [Fact]
    public async Task Dispute_OpenChannel_RefusedExit3NothingSent()
    {
        var channel = await OpenAsync(10_000);
        await _harness.HoldAsync(channel, 5_000);

        var refused = (await RunAsync(["channel", "dispute", "--key-file", PayeeKeyFile, "--db", _harness.DatabasePath, .. Common, "--channel", channel.Id.ToString()], 3))!.Value;

        refused.GetProperty("result").GetString().ShouldBe("notClosing");
        (await fixture.World.Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task RedeemBatch_DryRunThenSend_ChosenByDeadlineWithinBudget()
    {
        var open = await OpenAsync(100_000);
        var closing = await OpenAsync(100_000);
        var empty = await OpenAsync(100_000);
        await _harness.HoldAsync(open, 1_000);
        await _harness.HoldAsync(closing, 2_000);
        await fixture.World.Channels.StartCloseAsync(fixture.World.Payer, closing.Parameters);
        var budget = PayeePolicyOptions.DefaultBatchBaseGas + PayeePolicyOptions.DefaultBatchItemGas; // one item
        string[] batch = ["channel", "redeem-batch", "--key-file", PayeeKeyFile, "--db", _harness.DatabasePath, .. Common,
            "--token", fixture.World.Token.Address.ToString(), "--gas-budget", budget.ToString(CultureInfo.InvariantCulture)];

        var dry = (await RunAsync([.. batch, "--dry-run"], 0))!.Value;

        dry.GetProperty("dryRun").GetBoolean().ShouldBeTrue();
        var planned = dry.GetProperty("batches").EnumerateArray().ShouldHaveSingleItem();
        planned.GetProperty("estimatedGas").GetInt64().ShouldBe(budget);
        var chosen = planned.GetProperty("channels").EnumerateArray().ShouldHaveSingleItem();
        chosen.GetProperty("channelId").GetString().ShouldBe(closing.Id.ToString());
        chosen.GetProperty("reason").GetString().ShouldBe("closing");
        chosen.GetProperty("amount").GetString().ShouldBe("2000");
        dry.GetProperty("deferred").EnumerateArray().ShouldHaveSingleItem().GetProperty("channelId").GetString().ShouldBe(open.Id.ToString());
        planned.TryGetProperty("result", out _).ShouldBeFalse();
        (await fixture.World.Channels.GetStateAsync(closing.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        var sent = (await RunAsync(batch, 0))!.Value;
        var done = sent.GetProperty("batches").EnumerateArray().ShouldHaveSingleItem();
        done.GetProperty("result").GetString().ShouldBe("done");
        // Measured on chain: here above the steady-state estimate, because this payee's token balance was zero (the
        // token's first write to it costs ~17,100 more; docs/payee.md, "Batch redeem").
        var receipt = (await fixture.World.Rpc.GetTransactionReceiptAsync(Ethereum.Encoding.Hex.Decode(done.GetProperty("transactions")[0].GetString()!)))!;
        done.GetProperty("gasUsed").GetInt64().ShouldBe((long)receipt.GasUsed);
        (await fixture.World.Channels.GetStateAsync(closing.Id)).RedeemedByPayee.ShouldBe(new BigInteger(2_000));
        (await fixture.World.Channels.GetStateAsync(open.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        var rest = (await RunAsync(batch, 0))!.Value;
        rest.GetProperty("batches").EnumerateArray().ShouldHaveSingleItem().GetProperty("channels").EnumerateArray().ShouldHaveSingleItem()
            .GetProperty("channelId").GetString().ShouldBe(open.Id.ToString());
        (await fixture.World.Channels.GetStateAsync(open.Id)).RedeemedByPayee.ShouldBe(new BigInteger(1_000));
        (await fixture.World.Channels.GetStateAsync(empty.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        (await RunAsync(batch, 0))!.Value.GetProperty("batches").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task RedeemBatch_BudgetBelowOneItem_UsageExit2NamingTheFlag()
    {
        var (code, stdout, stderr) = await RunRawAsync(["channel", "redeem-batch", "--key-file", PayeeKeyFile, "--db", _harness.DatabasePath, .. Common, "--gas-budget", "51899"]);

        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldBe("error: --gas-budget (51899) must be at least BatchBaseGas + BatchItemGas (51900): no batch of one item would fit.");
    }

    private async Task<JsonElement?> RunAsync(string[] args, int expectedExit)
    {
        var (code, stdout, stderr) = await RunRawAsync(args);
        code.ShouldBe(expectedExit, stderr);
        return stdout.Length == 0 ? null : JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunRawAsync(string[] args)
    {
        var apphost = Path.Combine(CliPayeeProcess.BuildFolder, "l2pay");
        var start = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (!File.Exists(apphost))
        {
            start.ArgumentList.Add(Path.Combine(CliPayeeProcess.BuildFolder, "l2pay.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true); // a hung l2pay must not outlive the test
            await process.WaitForExitAsync();
            throw;
        }

        output.WriteLine($"l2pay {string.Join(' ', args.Take(2))} -> {process.ExitCode}: {await stdout}{await stderr}");
        return (process.ExitCode, await stdout, await stderr);
    }
}

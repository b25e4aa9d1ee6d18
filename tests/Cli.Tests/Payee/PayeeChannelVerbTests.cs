namespace Settlement.Cli.Tests.Payee;

/// <summary>
/// <c>l2pay channel dispute | settle | redeem-batch</c> refusals found before any key, database or chain node is read
/// (the RPC URL answers nothing). The chain runs are in tests/PayeeService.IntegrationTests/Policy.
/// </summary>
public sealed class PayeeChannelVerbTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string Channel = "0x1111111111111111111111111111111111111111111111111111111111111111";

    [Theory]
    [InlineData("dispute", "--contract", "0x12", "--contract must be a 20-byte hex address.")]
    [InlineData("dispute", "--channel", "0x11", "--channel must be 32 bytes of hex.")]
    [InlineData("settle", "--channel", "zz", "--channel must be 32 bytes of hex.")]
    public async Task DisputeSettle_BadIds_UsageExit2(string verb, string flag, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--contract"] = Contract, ["--channel"] = Channel };
        args[flag] = value;

        var run = await L2pay.RunAsync(["channel", verb, "--key-file", "/nonexistent/key", "--rpc-url", "http://127.0.0.1:1/", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.Trim().ShouldBe($"error: {message}");
    }

    [Theory]
    [InlineData(new[] { "--token", "gold" }, "--token must be a 20-byte hex address or 'eth'.")]
    [InlineData(new[] { "--gas-budget", "51899" }, "--gas-budget (51899) must be at least BatchBaseGas + BatchItemGas (51900): no batch of one item would fit.")]
    [InlineData(new[] { "--item-gas", "0" }, "The field BatchItemGas must be between 1 and 100000000.")]
    public async Task RedeemBatch_BadFlags_UsageExit2(string[] flags, string message)
    {
        var run = await L2pay.RunAsync(["channel", "redeem-batch", "--key-file", "/nonexistent/key", "--rpc-url", "http://127.0.0.1:1/", "--contract", Contract, .. flags]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.Trim().ShouldBe($"error: {message}");
    }

    [Fact]
    public async Task Dispute_NoPayeeDatabase_Exit1NamingThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-payee-" + Guid.NewGuid().ToString("N") + ".db");

        var run = await L2pay.RunAsync(["channel", "dispute", "--key-file", "/nonexistent/key", "--rpc-url", "http://127.0.0.1:1/", "--contract", Contract, "--channel", Channel, "--db", missing]);

        run.ExitCode.ShouldBe(1);
        run.Stderr.Trim().ShouldBe($"error: no payee database at {missing}");
        File.Exists(missing).ShouldBeFalse();
    }
}

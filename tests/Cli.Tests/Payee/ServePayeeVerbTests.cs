namespace Settlement.Cli.Tests.Payee;

/// <summary>
/// <c>l2pay serve payee</c>'s velocity flags: a wrong one is a usage error naming the flag, found before the chain
/// node is asked anything (the RPC URL here answers nothing, so reaching it would fail differently).
/// </summary>
public sealed class ServePayeeVerbTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    [Theory]
    [InlineData(new[] { "--channel-value-per-minute-refuse", "abc" }, "--channel-value-per-minute-refuse: Payee:Velocity:ChannelValuePerMinuteRefuse must be a positive whole number")]
    [InlineData(new[] { "--payer-value-per-minute-flag", "0" }, "--payer-value-per-minute-flag: Payee:Velocity:PayerValuePerMinuteFlag must be a positive whole number")]
    [InlineData(new[] { "--channel-payments-per-second-flag", "10", "--channel-payments-per-second-refuse", "5" }, "--channel-payments-per-second-flag: Payee:Velocity:ChannelPaymentsPerSecondFlag must not be above")]
    [InlineData(new[] { "--payer-payments-per-second-flag", "0" }, "--payer-payments-per-second-flag: ")]
    public async Task Serve_BadVelocityRule_UsageErrorNamingTheFlag_BeforeTheChainIsAsked(string[] velocity, string message)
    {
        var run = await L2pay.RunAsync(["serve", "payee", "--contract", Contract, "--rpc-url", "http://127.0.0.1:1/", "--port", "0", .. velocity]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain(message);
    }

    [Fact]
    public async Task Serve_PolicyWithoutKeyFile_UsageErrorBeforeTheChainIsAsked()
    {
        var run = await L2pay.RunAsync(["serve", "payee", "--contract", Contract, "--rpc-url", "http://127.0.0.1:1/", "--port", "0", "--policy"]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.Trim().ShouldBe("error: --policy needs --key-file: the policy sends its redeems and closes as the payee.");
    }
}

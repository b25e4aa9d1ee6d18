namespace Settlement.Cli.Tests.Settle;

/// <summary>
/// The flows' flags on <c>l2pay serve settlement</c> and <c>l2pay settle run | payouts</c>: each misuse is a usage error
/// (exit 2) naming what is missing, before any database, node or bank is touched.
/// </summary>
public sealed class SettleFlowsVerbTests : IDisposable
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string Token = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("l2pay-settle-flows-");

    [Theory]
    [InlineData("run")]
    [InlineData("payouts")]
    public async Task SettleFlowVerb_WithoutTheKeystoreOrBank_UsageErrorNamingBoth(string verb)
    {
        var run = await L2pay.RunAsync("settle", verb, "--db", Db, "--contract", Contract, "--token", Token, "--chain-id", "31337");

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("the flows need --platform-keystore and --bank-config");
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task SettleRun_NegativeWait_UsageError()
    {
        var run = await L2pay.RunAsync("settle", "run", "--db", Db, "--platform-keystore", "k.json", "--bank-config", "b.json", "--wait", "-1");

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--wait must be in [0, 86400] seconds");
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task ServeSettlement_PlatformKeystoreWithoutBankConfig_UsageError()
    {
        var run = await L2pay.RunAsync("serve", "settlement", "--db", Db, "--contract", Contract, "--token", Token, "--chain-id", "31337", "--platform-keystore", "k.json");

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--platform-keystore runs the flows, which need the indexer and --bank-config");
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task ServeSettlement_PayoutsConfigWithoutKeystore_UsageError()
    {
        var run = await L2pay.RunAsync("serve", "settlement", "--db", Db, "--contract", Contract, "--token", Token, "--chain-id", "31337", "--payouts-config", "p.json");

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--payouts-config configures the flows: give --platform-keystore too");
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task ServeSettlement_MissingPayoutsConfigFile_UsageErrorNamingIt()
    {
        var bank = Path.Combine(_dir.FullName, "bank.json");
        await File.WriteAllTextAsync(bank, "{}");
        var missing = Path.Combine(_dir.FullName, "nope.json");

        var run = await L2pay.RunAsync(
            "serve", "settlement", "--db", Db, "--contract", Contract, "--token", Token, "--chain-id", "31337",
            "--platform-keystore", "k.json", "--bank-config", bank, "--payouts-config", missing);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain($"--payouts-config: no file '{missing}'");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Db => Path.Combine(_dir.FullName, "ledger.db");
}

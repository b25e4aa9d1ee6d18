namespace Settlement.Cli.Tests.Watchtower;

/// <summary>
/// <c>l2pay serve watchtower</c> and the payee's <c>--watchtower-url</c>: a wrong value is a usage error naming it, found
/// before the chain node is asked anything (the RPC URL here answers nothing, so reaching it would fail differently).
/// </summary>
public sealed class ServeWatchtowerVerbTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    [Fact]
    public async Task ServeWatchtower_BadContract_UsageErrorBeforeTheChainIsAsked()
    {
        var run = await L2pay.RunAsync(["serve", "watchtower", "--contract", "0x1234", "--key-file", "none.json", "--rpc-url", "http://127.0.0.1:1/", "--port", "0"]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("--contract must be a 20-byte hex address.");
    }

    [Fact]
    public async Task ServeWatchtower_NoKeyFile_RefusedNamingTheOption()
    {
        var run = await L2pay.RunAsync(["serve", "watchtower", "--contract", Contract, "--rpc-url", "http://127.0.0.1:1/"]);

        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain("--key-file");
    }

    [Fact]
    public async Task ServePayee_BadWatchtowerUrl_UsageErrorBeforeTheChainIsAsked()
    {
        var run = await L2pay.RunAsync(["serve", "payee", "--contract", Contract, "--rpc-url", "http://127.0.0.1:1/", "--port", "0", "--watchtower-url", "not a url"]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("--watchtower-url must be an absolute http(s) URL.");
    }
}

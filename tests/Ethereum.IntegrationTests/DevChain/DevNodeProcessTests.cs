using Settlement.DevChain;
using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.DevChain;

/// <summary>
/// The dev node's lifetime on Linux: a node outlives neither Dispose nor a parent killed without disposing. Which
/// processes exist is read from /proc, not from the launcher.
/// </summary>
public sealed class DevNodeProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartAsync_ParentKilledWithSigkill_NodeExitsByItself()
    {
        var port = ProcessTable.FreePort();
        var info = AnvilProcess.CreateStartInfo(new AnvilOptions { BinaryPath = RepositoryPaths.AnvilBinary }, port);
        ParentLifetime.Bind(info); // the command line DevNodeProcess starts
        using var parent = await KillableParent.StartAsync(info);
        var anvil = await ProcessTable.WaitForAsync(p => p.ParentPid == parent.ChildPid && IsAnvil(p), Deadline);
        try
        {
            anvil.ShouldNotBeNull();
            (await WaitForChainIdAsync(port)).ShouldBe("0x7a69");

            await parent.KillHardAsync();

            (await ProcessTable.WaitUntilExitedAsync(anvil.Pid, Deadline)).ShouldBeTrue("Anvil still runs after its parent was killed");
            (await ProcessTable.WaitUntilExitedAsync(parent.ChildPid, Deadline)).ShouldBeTrue("the script still runs after its parent was killed");
            ProcessTable.PortIsFree(port).ShouldBeTrue();
            ProcessTable.Snapshot().ShouldNotContain(p => IsAnvilOn(p, port));
        }
        finally
        {
            if (anvil is not null)
            {
                ProcessTable.KillIfRunning(anvil.Pid);
            }
        }
    }

    [Fact]
    public async Task Dispose_RunningNode_StopsItAndFreesItsPort()
    {
        var node = await DevNodeProcess.StartAsync(
            "Anvil",
            port => AnvilProcess.CreateStartInfo(new AnvilOptions { BinaryPath = RepositoryPaths.AnvilBinary }, port),
            port: 0,
            Deadline);
        var port = node.RpcUrl.Port;
        ProcessTable.Entry? anvil = null;
        try
        {
            var processes = ProcessTable.Snapshot();
            anvil = processes.SingleOrDefault(p => IsAnvilOn(p, port));
            anvil.ShouldNotBeNull();
            var script = processes.Single(p => p.Pid == anvil.ParentPid);
            script.CommandLine.Take(4).ShouldBe([ParentLifetime.ShellPath, "-c", ParentLifetime.Script, ParentLifetime.ScriptName]);
        }
        finally
        {
            node.Dispose();
        }

        (await ProcessTable.WaitUntilExitedAsync(anvil.Pid, Deadline)).ShouldBeTrue("Anvil still runs after Dispose");
        ProcessTable.PortIsFree(port).ShouldBeTrue();
        node.Output.ShouldContain($"Listening on 127.0.0.1:{port}"); // the node's stdout still reaches Output
        node.Dispose(); // idempotent
    }

    [Fact]
    public async Task StartAsync_NodeExitsDuringStartUp_ReportsItsExitCodeAndStderr()
    {
        var options = new AnvilOptions { BinaryPath = RepositoryPaths.AnvilBinary };
        options.ExtraArguments.Add("--no-such-flag");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => AnvilProcess.StartAsync(options));

        error.Message.ShouldContain("did not start after 3 attempts");
        error.Message.ShouldContain("exited with code 2 during start-up");
        error.Message.ShouldContain("error: unexpected argument '--no-such-flag' found");
        ProcessTable.Snapshot().ShouldNotContain(p => IsAnvil(p) && p.CommandLine.Contains("--no-such-flag"));
    }

    private static bool IsAnvil(ProcessTable.Entry process) =>
        process.CommandLine.Count > 0 && string.Equals(process.CommandLine[0], RepositoryPaths.AnvilBinary, StringComparison.Ordinal);

    private static bool IsAnvilOn(ProcessTable.Entry process, int port)
    {
        if (!IsAnvil(process))
        {
            return false;
        }

        var at = process.CommandLine.ToList().IndexOf("--port");
        return at >= 0 && at + 1 < process.CommandLine.Count && process.CommandLine[at + 1] == port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Asks 127.0.0.1:<paramref name="port"/> for eth_chainId until it answers (plain HTTP, not the client under test).</summary>
    private static async Task<string> WaitForChainIdAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var limit = new CancellationTokenSource(Deadline);
        while (true)
        {
            try
            {
                using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/"), content, limit.Token);
                using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(limit.Token));
                return doc.RootElement.GetProperty("result").GetString()!;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, limit.Token);
            }
        }
    }
}

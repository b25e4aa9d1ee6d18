using System.Diagnostics;
using System.Runtime.InteropServices;
using Settlement.DevChain;

namespace Settlement.Ethereum.IntegrationTests.DevChain;

/// <summary>The <see cref="ParentLifetime"/> script with plain programs (sleep, sh) instead of a node.</summary>
public sealed class ParentLifetimeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bind_ParentKilledWithSigkill_StopsTheProgramAndRemovesTheFolder()
    {
        var folder = Directory.CreateTempSubdirectory("l2pay-orphan-");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "data"), "cluster");
        var info = Command("sleep", "1000");
        ParentLifetime.Bind(info, PosixSignal.SIGTERM, removeWhenOrphaned: folder.FullName);
        using var parent = await KillableParent.StartAsync(info);
        var sleep = await ProcessTable.WaitForAsync(p => p.ParentPid == parent.ChildPid && p.CommandLine.SequenceEqual(["sleep", "1000"]), Deadline);
        try
        {
            sleep.ShouldNotBeNull();

            await parent.KillHardAsync();

            (await ProcessTable.WaitUntilExitedAsync(sleep.Pid, Deadline)).ShouldBeTrue("sleep still runs after its parent was killed");
            (await ProcessTable.WaitUntilExitedAsync(parent.ChildPid, Deadline)).ShouldBeTrue("the script still runs after its parent was killed");
            Directory.Exists(folder.FullName).ShouldBeFalse();
        }
        finally
        {
            if (sleep is not null)
            {
                ProcessTable.KillIfRunning(sleep.Pid);
            }

            if (Directory.Exists(folder.FullName))
            {
                folder.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public async Task Bind_ProgramExitsByItself_ScriptExitsWithItsCodeAndOutputKeepsTheFolder()
    {
        var folder = Directory.CreateTempSubdirectory("l2pay-orphan-");
        try
        {
            var info = Command("/bin/sh", "-c", "echo out; echo err >&2; exit 7");
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            ParentLifetime.Bind(info, removeWhenOrphaned: folder.FullName);
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();

            await process.WaitForExitAsync().WaitAsync(Deadline);

            process.ExitCode.ShouldBe(7);
            (await stdout).ShouldBe("out\n");
            (await stderr).ShouldBe("err\n");
            Directory.Exists(folder.FullName).ShouldBeTrue(); // only a parent's death removes it
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Bind_ParentClosesStdin_StopsTheProgramWithTheStopSignal()
    {
        var info = Command("/bin/sh", "-c", "trap 'exit 42' TERM; echo trapped; while :; do sleep 1; done");
        info.RedirectStandardOutput = true;
        ParentLifetime.Bind(info, PosixSignal.SIGTERM);
        using var process = Process.Start(info)!;
        (await process.StandardOutput.ReadLineAsync().WaitAsync(Deadline)).ShouldBe("trapped");

        process.StandardInput.Close();

        await process.WaitForExitAsync().WaitAsync(Deadline);
        process.ExitCode.ShouldBe(42); // the program's own exit on SIGTERM, passed through (not SIGKILL's 137)
    }

    [Fact]
    public void Bind_CommandLineAsOneString_IsRefused()
    {
        var info = new ProcessStartInfo("anvil", "--port 8545");

        Should.Throw<ArgumentException>(() => ParentLifetime.Bind(info)).Message.ShouldContain("ArgumentList");
        info.FileName.ShouldBe("anvil");
    }

    [Fact]
    public void Bind_Twice_IsRefused()
    {
        var info = Command("anvil", "--port", "8545");
        ParentLifetime.Bind(info);

        Should.Throw<ArgumentException>(() => ParentLifetime.Bind(info)).Message.ShouldContain("already bound");
        info.ArgumentList.Skip(5).ShouldBe(["anvil", "--port", "8545"]);
    }

    [Fact]
    public void Bind_SigkillAsStopSignal_IsRefused() =>
        Should.Throw<ArgumentOutOfRangeException>(() => ParentLifetime.Bind(Command("anvil"), (PosixSignal)9)); // raw signal number 9: SIGKILL cannot be handled, so no clean stop

    private static ProcessStartInfo Command(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}

using System.Diagnostics;
using System.Globalization;
using Settlement.DevChain;

namespace Settlement.Ethereum.IntegrationTests.DevChain;

/// <summary>
/// A <c>/bin/sh</c> process that starts a child the way <see cref="DevNodeProcess"/> does (its stdin a pipe whose
/// write end only this parent holds: a FIFO the parent opens after starting the child) and then just waits, so a test
/// can kill the parent with SIGKILL, as Stryker or <c>kill -9</c> kills a test host, and watch what the child does.
/// </summary>
internal sealed class KillableParent : IDisposable
{
    private const string Script =
        """
        fifo=$1
        shift
        mkfifo "$fifo" || exit 1
        "$@" <"$fifo" >/dev/null 2>&1 &
        exec 4>"$fifo"
        echo $!
        wait
        """;

    private readonly Process _process;
    private readonly DirectoryInfo _folder;

    private KillableParent(Process process, DirectoryInfo folder, int childPid)
    {
        _process = process;
        _folder = folder;
        ChildPid = childPid;
    }

    /// <summary>The child's process id (for a bound command line: the <see cref="ParentLifetime"/> script's).</summary>
    public int ChildPid { get; }

    /// <summary>Starts the parent, which starts <paramref name="child"/> (file and argument list only).</summary>
    public static async Task<KillableParent> StartAsync(ProcessStartInfo child)
    {
        var folder = Directory.CreateTempSubdirectory("l2pay-parent-");
        var info = new ProcessStartInfo(ParentLifetime.ShellPath) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", Script, "killable-parent", Path.Combine(folder.FullName, "stdin"), child.FileName, .. child.ArgumentList])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start.");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new KillableParent(process, folder, int.Parse(line ?? throw new InvalidOperationException("The parent printed no child id."), CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILLs the parent (no clean-up of any kind runs in it) and waits until it is gone.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _folder.Delete(recursive: true);
    }
}

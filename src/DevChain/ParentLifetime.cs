using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Settlement.DevChain;

/// <summary>
/// Ties a development process's lifetime to the process that starts it, so that a node or server outlives neither a
/// clean dispose nor a host that was killed hard (SIGKILL, a test host stopped by Stryker on a timeout, a crash), in
/// which case no dispose runs. Linux and macOS (anything with a POSIX <c>/bin/sh</c>); on Windows nothing changes.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Bind"/> rewrites a command line so that <c>/bin/sh</c> runs <see cref="Script"/>, which starts the
/// program in the background and reads its own stdin, a pipe whose write end only the starting process holds
/// (<see cref="ProcessStartInfo.RedirectStandardInput"/>). When that process ends for any reason the kernel closes the
/// pipe; the read sees end of file and the script sends the program the stop signal, then SIGKILL if it is still
/// running 10 s later, waits for it, removes the folder named for that case, and exits.
/// When the program exits by itself the script exits at once with its exit code (a shell reports death by signal N as
/// 128 + N), so a start-up failure is seen as before. The program inherits the script's stdout and stderr, the
/// environment and the working folder; its stdin is /dev/null.
/// </para>
/// <para>
/// The script forwards SIGTERM, SIGINT and SIGHUP sent to it to the program as the stop signal, and a process-tree
/// kill (<see cref="Process.Kill(bool)"/> with <c>true</c>) still kills the script, the program and the program's
/// children. prctl's <c>PR_SET_PDEATHSIG</c> was not used: it fires when the starting <em>thread</em> ends, and .NET
/// starts processes from pool threads that retire.
/// </para>
/// </remarks>
public static class ParentLifetime
{
    /// <summary>The shell that runs <see cref="Script"/>.</summary>
    public const string ShellPath = "/bin/sh";

    /// <summary>
    /// The POSIX shell script (dash, bash) that runs a program bound to its stdin. Arguments: <c>$0</c> a name for
    /// messages, <c>$1</c> the stop signal's name (<c>TERM</c>), <c>$2</c> a folder to remove once the program has
    /// stopped because the parent is gone (empty: none), then the program and its arguments.
    /// </summary>
    /// <remarks>
    /// The watcher is a subshell reading with the <c>read</c> builtin (no <c>cat</c> left behind when it is killed);
    /// it signals the script (USR1) rather than the program, so the script alone decides, and a program that exited
    /// by itself is never signalled by a stale process id. dash keeps the parent's traps in a <c>{ …; } &amp;</c>
    /// subshell, so both subshells reset them and are ended with SIGKILL (a trapped SIGTERM would run <c>stop</c> in
    /// them). A killed timer's <c>sleep</c> may outlive the script by up to 10 s; it signals nothing.
    /// </remarks>
    public const string Script =
        """
        sig=$1 dir=$2
        shift 2
        stopping= orphaned= node= timer=
        stop() {
          [ -n "$stopping" ] && return
          stopping=1
          kill -s "$sig" "$node" 2>/dev/null
          { trap - INT TERM HUP USR1; sleep 10; kill -s KILL "$node"; } >/dev/null 2>&1 &
          timer=$!
        }
        trap 'orphaned=1; stop' USR1
        trap stop INT TERM HUP
        exec 3<&0 </dev/null
        "$@" 3<&- &
        node=$!
        { trap - INT TERM HUP USR1; while read -r _; do :; done; kill -s USR1 $$; } <&3 3<&- >/dev/null 2>&1 &
        watch=$!
        exec 3<&-
        wait "$node"
        status=$?
        if [ -n "$stopping" ]; then
          wait "$node"
          status=$?
          kill -s KILL "$timer" 2>/dev/null
        fi
        kill -s KILL "$watch" 2>/dev/null
        if [ -n "$orphaned" ] && [ -n "$dir" ]; then
          rm -rf -- "$dir"
        fi
        exit "$status"
        """;

    /// <summary>The name the script runs under (<c>$0</c>: shown in its messages and in <c>ps</c>).</summary>
    public const string ScriptName = "l2pay-parent-bound";

    /// <summary>True where <see cref="Bind"/> changes anything (not on Windows).</summary>
    public static bool IsSupported => !OperatingSystem.IsWindows();

    /// <summary>
    /// Rewrites <paramref name="info"/> in place to run its program through <see cref="Script"/>: the file becomes
    /// <see cref="ShellPath"/>, the program and its arguments move behind the script's own, and stdin is redirected
    /// (the pipe the caller keeps open for as long as the program may run). Environment, working folder and output
    /// redirection stay as they were. No change where <see cref="IsSupported"/> is false.
    /// </summary>
    /// <param name="info">A command line given as <see cref="ProcessStartInfo.ArgumentList"/>, without the shell.</param>
    /// <param name="stopSignal">What the program gets when the parent is gone: SIGTERM (default), SIGINT, SIGQUIT or SIGHUP.
    /// A program started in the background by a shell ignores SIGINT and SIGQUIT unless it sets its own handler
    /// (PostgreSQL does); SIGKILL follows 10 s later either way.</param>
    /// <param name="removeWhenOrphaned">A folder to delete once the program has stopped because the parent is gone
    /// (not on a normal stop, where the caller cleans up), e.g. a throw-away database cluster.</param>
    /// <exception cref="ArgumentException">The command line is a single <see cref="ProcessStartInfo.Arguments"/>
    /// string, the shell is requested, or the info is already bound.</exception>
    public static void Bind(ProcessStartInfo info, PosixSignal stopSignal = PosixSignal.SIGTERM, string? removeWhenOrphaned = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrEmpty(info.FileName, nameof(info));
        if (!string.IsNullOrEmpty(info.Arguments))
        {
            throw new ArgumentException("Give the command line as ArgumentList: a single Arguments string cannot be passed on to the program unchanged.", nameof(info));
        }

        if (info.UseShellExecute)
        {
            throw new ArgumentException("UseShellExecute cannot be combined with a redirected stdin.", nameof(info));
        }

        if (IsBound(info))
        {
            throw new ArgumentException("The command line is already bound to its parent.", nameof(info));
        }

        var signal = SignalName(stopSignal);
        info.RedirectStandardInput = true;
        if (!IsSupported)
        {
            return;
        }

        string[] prefix = ["-c", Script, ScriptName, signal, removeWhenOrphaned ?? string.Empty, info.FileName];
        for (var i = 0; i < prefix.Length; i++)
        {
            info.ArgumentList.Insert(i, prefix[i]);
        }

        info.FileName = ShellPath;
    }

    /// <summary>True when <paramref name="info"/> runs its program through <see cref="Script"/>.</summary>
    public static bool IsBound(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return string.Equals(info.FileName, ShellPath, StringComparison.Ordinal)
            && info.ArgumentList.Count > 2
            && string.Equals(info.ArgumentList[1], Script, StringComparison.Ordinal);
    }

    private static string SignalName(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "TERM",
        PosixSignal.SIGINT => "INT",
        PosixSignal.SIGQUIT => "QUIT",
        PosixSignal.SIGHUP => "HUP",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Use SIGTERM, SIGINT, SIGQUIT or SIGHUP."),
    };
}

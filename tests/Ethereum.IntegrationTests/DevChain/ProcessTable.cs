using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Settlement.Ethereum.IntegrationTests.DevChain;

/// <summary>
/// Reads Linux's process table (<c>/proc</c>) directly: the tests check which processes exist with the kernel, not
/// with the launcher under test.
/// </summary>
internal static class ProcessTable
{
    /// <summary>A process as <c>/proc</c> shows it.</summary>
    internal sealed record Entry(int Pid, int ParentPid, IReadOnlyList<string> CommandLine);

    /// <summary>Every process that is running now (zombies left out).</summary>
    public static IReadOnlyList<Entry> Snapshot()
    {
        var entries = new List<Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>True while <paramref name="pid"/> is a live process (a zombie has exited: it only waits to be reaped).</summary>
    public static bool IsRunning(int pid) => Stat(pid) is { State: not ('Z' or 'X') };

    /// <summary>Polls until <paramref name="pid"/> has exited; false if it still runs after <paramref name="deadline"/>.</summary>
    public static async Task<bool> WaitUntilExitedAsync(int pid, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        while (IsRunning(pid))
        {
            try
            {
                await Task.Delay(50, limit.Token);
            }
            catch (OperationCanceledException)
            {
                return !IsRunning(pid);
            }
        }

        return true;
    }

    /// <summary>Polls until a process matching <paramref name="match"/> runs; null after <paramref name="deadline"/>.</summary>
    public static async Task<Entry?> WaitForAsync(Func<Entry, bool> match, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        while (true)
        {
            if (Snapshot().FirstOrDefault(match) is { } found)
            {
                return found;
            }

            try
            {
                await Task.Delay(50, limit.Token);
            }
            catch (OperationCanceledException)
            {
                return Snapshot().FirstOrDefault(match);
            }
        }
    }

    /// <summary>SIGKILLs <paramref name="pid"/> if it still runs (clean-up after a failed assertion).</summary>
    public static void KillIfRunning(int pid)
    {
        if (!IsRunning(pid))
        {
            return;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            // Gone meanwhile.
        }
        catch (InvalidOperationException)
        {
            // Gone meanwhile.
        }
    }

    /// <summary>True when a listener can bind 127.0.0.1:<paramref name="port"/> (nothing holds it).</summary>
    public static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Entry? Read(int pid)
    {
        if (Stat(pid) is not { State: not ('Z' or 'X') } stat)
        {
            return null;
        }

        try
        {
            var raw = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            // Each argument ends with a NUL; empty arguments stay (the script's folder argument may be one).
            var arguments = raw.Split('\0');
            return new Entry(pid, stat.ParentPid, raw.EndsWith('\0') ? arguments[..^1] : arguments);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (char State, int ParentPid)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Names a lease holder as <c>host/pid/process-start-ticks/instance</c> so that a lease left by a
/// killed process on this host is taken over at once instead of after it expires (a killed CLI must
/// not block the resume its operator runs next), while a live holder keeps it.
/// </summary>
internal static class TransferLeaseHolder
{
    private static readonly long CurrentStart = StartTicks(Process.GetCurrentProcess());

    public static string NewInstance() =>
        string.Join('/', Environment.MachineName, Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            CurrentStart.ToString(CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The short form shown to an operator (host and pid).</summary>
    public static string Describe(string holder)
    {
        var parts = holder.Split('/');
        return parts.Length >= 2 ? $"{parts[0]} pid {parts[1]}" : holder;
    }

    /// <summary>True when the holder ran on this host and its process no longer exists (or the pid now belongs to another process).</summary>
    public static bool IsGone(string holder)
    {
        var parts = holder.Split('/');
        if (parts.Length != 4 || parts[0] != Environment.MachineName
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var started))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            // Another connector instance in this very process: alive by definition.
            return started != CurrentStart;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            // Start times are read from /proc by each process on its own: allow for rounding.
            return process.HasExited || Math.Abs(StartTicks(process) - started) > TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return true; // no process with that id
        }
        catch (InvalidOperationException)
        {
            return true; // exited while we looked
        }
    }

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;
}

using System.Diagnostics;

namespace Settlement.Cli.Tests;

/// <summary>Runs the built l2pay (copied next to the tests by the project reference) as a process.</summary>
internal static class L2pay
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            // Never leave a hung l2pay (and the Anvil or sandbox it started) behind: kill the whole tree, then fail
            // with what it printed.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"l2pay {string.Join(' ', args)} did not exit within {Timeout.TotalSeconds:F0} s and was killed.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>How long <see cref="RunAsync(IReadOnlyDictionary{string, string?}, string[])"/> waits before it kills the process tree.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(2);

    /// <summary>Starts l2pay with stdin closed and stdout/stderr redirected; the caller reads and waits (or kills).</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "l2pay.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("L2PAY_KEYSTORE_PASSWORD");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close(); // not a terminal: the CLI must never wait for a prompt
        return process;
    }

    public static Task<CliRun> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string?>(), args);
}

internal sealed record CliRun(int ExitCode, string Stdout, string Stderr);

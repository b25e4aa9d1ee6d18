using System.Diagnostics;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Bank;

/// <summary>
/// Test hook, inert unless <c>L2PAY_TEST_CRASH_AT=&lt;TransferCheckpoint&gt;</c> is set: the process kills
/// itself (SIGKILL, no clean-up, no further writes) when a transfer reaches that checkpoint, so the
/// crash test in tests/Cli.Tests can stop a real <c>l2pay bank topup|payout</c> at every step.
/// </summary>
internal sealed class CrashAtCheckpoint(TransferCheckpoint target) : ITransferCheckpointObserver
{
    public const string EnvironmentVariable = "L2PAY_TEST_CRASH_AT";

    /// <summary>The hook the environment asks for, or null (the normal case).</summary>
    public static CrashAtCheckpoint? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Enum.TryParse<TransferCheckpoint>(value, ignoreCase: true, out var checkpoint) && Enum.IsDefined(checkpoint)
            ? new CrashAtCheckpoint(checkpoint)
            : throw new ArgumentException($"{EnvironmentVariable} must be one of {string.Join(", ", Enum.GetNames<TransferCheckpoint>())}, not '{value}'");
    }

    public void OnCheckpoint(Guid operationId, TransferCheckpoint checkpoint)
    {
        if (checkpoint != target)
        {
            return;
        }

        Console.Error.WriteLine($"test hook: killed at {checkpoint} (operation {operationId})");
        Console.Error.Flush();
        using var self = Process.GetCurrentProcess();
        self.Kill();
        Thread.Sleep(Timeout.Infinite); // SIGKILL is on its way; nothing after this point may run
    }
}

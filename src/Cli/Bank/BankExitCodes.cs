namespace Settlement.Cli.Bank;

/// <summary>
/// Exit codes of <c>l2pay bank topup|payout|status</c> beyond <see cref="CliOutput.Failure"/> (1: a bank or
/// infrastructure error; the transfer is saved and resumes) and <see cref="CliOutput.Usage"/> (2). For 3, 4
/// and 5 stdout still carries the transfer's JSON object, so a script can read where it stands.
/// </summary>
internal static class BankExitCodes
{
    /// <summary>The transfer ended <c>Rejected</c> (consent declined, payment rejected): nothing was paid.</summary>
    public const int Rejected = 3;

    /// <summary>The transfer ended <c>Failed</c>: nothing was paid; its lastError says what to do.</summary>
    public const int Failed = 4;

    /// <summary><c>--wait</c> ran out before the transfer reached a final state; run again (or <c>bank status</c>) to continue.</summary>
    public const int WaitTimedOut = 5;

    /// <summary>Another l2pay process is advancing this transfer right now; nothing was done.</summary>
    public const int Busy = 6;

    /// <summary>An identical request already completed (money moved); <c>--new</c> starts another on purpose.</summary>
    public const int AlreadyCompleted = 7;
}

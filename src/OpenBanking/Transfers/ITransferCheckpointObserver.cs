namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Told when a transfer passes a <see cref="TransferCheckpoint"/>. Optional (register one in DI);
/// the CLI registers one only as a test hook (<c>L2PAY_TEST_CRASH_AT</c>) that kills its own process
/// there, so a crash test can stop a real process at every step.
/// </summary>
public interface ITransferCheckpointObserver
{
    /// <summary>Called synchronously on the transfer's path; must not throw.</summary>
    void OnCheckpoint(Guid operationId, TransferCheckpoint checkpoint);
}

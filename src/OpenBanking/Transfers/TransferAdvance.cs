namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// The result of <see cref="TransferService.TryAdvanceAsync"/>: the transfer as it now stands, and,
/// when another process (or connector instance) holds the transfer's lease, who holds it; the
/// transfer was then left untouched.
/// </summary>
/// <param name="Operation">The transfer after this call.</param>
/// <param name="BusyWith">The lease holder (host/pid) when the transfer is being advanced elsewhere; null when this call advanced it.</param>
public sealed record TransferAdvance(TransferOperation Operation, string? BusyWith)
{
    /// <summary>True when another holder was advancing the transfer and this call did nothing.</summary>
    public bool Busy => BusyWith is not null;
}

namespace Settlement.OpenBanking.Transfers;

/// <summary>One audit row: an applied transition, or a refused one (<see cref="Accepted"/> false).</summary>
public sealed record TransferTransition(long Sequence, Guid OperationId, DateTimeOffset At, TransferState? From, TransferState To, string Event, string? Detail, bool Accepted);

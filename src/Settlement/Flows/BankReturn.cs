namespace Settlement.Service.Flows;

/// <summary>A payment the bank returned after it had completed.</summary>
/// <param name="Reason">The bank's reason (never secrets).</param>
/// <param name="RecordedAt">When the return was recorded.</param>
public sealed record BankReturn(string Reason, DateTimeOffset RecordedAt);

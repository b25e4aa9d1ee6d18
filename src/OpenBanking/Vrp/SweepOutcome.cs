namespace Settlement.OpenBanking.Vrp;

/// <summary>The answer of <see cref="IVrpSweeps.StartSweepAsync"/>: an outcome as data, never an exception for a refusal.</summary>
/// <param name="Kind">Started, Exists or Refused.</param>
/// <param name="Status">The sweep as stored (null only when a refusal stored nothing: unknown consent, reused operation id).</param>
/// <param name="Refusal">Why it was refused.</param>
/// <param name="Detail">A sentence for logs and users.</param>
public sealed record SweepOutcome(SweepOutcomeKind Kind, SweepStatus? Status, SweepRefusal? Refusal, string? Detail);

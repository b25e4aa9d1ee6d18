namespace Settlement.Service.Reconciliation;

/// <summary>
/// The outcome of one pairing. Deterministic: the same records in any order give an equal result, with matches and
/// breaks in the same order (by their earliest record's time, then its source and id).
/// </summary>
/// <param name="Pairing">The pairing run.</param>
/// <param name="Matches">The matches.</param>
/// <param name="Breaks">The breaks.</param>
/// <param name="Totals">The counts and amounts.</param>
public sealed record ReconciliationResult(
    ReconciliationPairing Pairing,
    IReadOnlyList<ReconciliationMatch> Matches,
    IReadOnlyList<ReconciliationBreak> Breaks,
    ReconciliationTotals Totals);

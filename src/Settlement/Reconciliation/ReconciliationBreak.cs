namespace Settlement.Service.Reconciliation;

/// <summary>An unmatched or mismatched item: its reason, its record(s) and a readable detail.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Records">The records (canonical order: left side first, then time, then id); never empty.</param>
/// <param name="Detail">A sentence for people, built from the records alone (no clock).</param>
/// <param name="Difference">For a break with records on both sides: Σ left − Σ right; otherwise null.</param>
public sealed record ReconciliationBreak(
    BreakReason Reason,
    IReadOnlyList<ReconciliationRecord> Records,
    string Detail,
    Int128? Difference = null);

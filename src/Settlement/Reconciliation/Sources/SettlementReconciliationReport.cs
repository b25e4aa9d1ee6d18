namespace Settlement.Service.Reconciliation.Sources;

/// <summary>The outcome of <see cref="SettlementReconciliation.RunAsync"/>.</summary>
/// <param name="Run">The engine's result for the pairings <c>bank-ledger</c> and <c>chain-ledger</c>.</param>
/// <param name="Findings">The sources' findings; each is also a break of <paramref name="Run"/>.</param>
public sealed record SettlementReconciliationReport(ReconciliationRunResult Run, IReadOnlyList<SourceFinding> Findings)
{
    /// <summary>Breaks over all pairings, plus records no pairing took.</summary>
    public int BreakCount => Run.Pairings.Sum(p => p.Breaks.Count) + Run.Unassigned.Count;
}

namespace Settlement.Service.Reconciliation;

/// <summary>The outcome of a run over several pairings (or one), the input of the break reports.</summary>
/// <param name="Pairings">One result per pairing, in the order the pairings were given.</param>
/// <param name="Unassigned">Records no pairing takes (<see cref="BreakReason.NotInAnyPairing"/>), one break each.</param>
public sealed record ReconciliationRunResult(IReadOnlyList<ReconciliationResult> Pairings, IReadOnlyList<ReconciliationBreak> Unassigned)
{
    /// <summary>A run of one pairing.</summary>
    public ReconciliationRunResult(ReconciliationResult result)
        : this([result], [])
    {
    }
}

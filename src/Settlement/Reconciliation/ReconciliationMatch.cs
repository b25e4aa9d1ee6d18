namespace Settlement.Service.Reconciliation;

/// <summary>Records of the two sides that a rule paired.</summary>
/// <param name="Rule">The rule that matched them.</param>
/// <param name="Left">The left side's records (canonical order: time, then id); empty only for <see cref="MatchRule.NetWithinSide"/>.</param>
/// <param name="Right">The right side's records; empty only for <see cref="MatchRule.NetWithinSide"/>.</param>
/// <param name="Difference">Σ left amounts − Σ right amounts (0 for an exact match; within the tolerance otherwise).</param>
public sealed record ReconciliationMatch(
    MatchRule Rule,
    IReadOnlyList<ReconciliationRecord> Left,
    IReadOnlyList<ReconciliationRecord> Right,
    Int128 Difference)
{
    /// <summary>Matched with a difference (within the tolerance): the report lists it.</summary>
    public bool HasDifference => Difference != Int128.Zero;
}

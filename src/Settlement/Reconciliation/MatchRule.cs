namespace Settlement.Service.Reconciliation;

/// <summary>
/// The matching rules. A pairing applies the rules of <see cref="ReconciliationRules.Order"/> one after another; each
/// consumes the records it matches, so a record is matched at most once, by the first rule (in that order) that can.
/// </summary>
public enum MatchRule
{
    /// <summary>1:1, same asset and reference, equal amount, within the date lag.</summary>
    ExactReference = 1,

    /// <summary>1:1, same asset and reference, amounts within the tolerance, within the date lag (a match with a difference).</summary>
    ReferenceWithinTolerance = 2,

    /// <summary>
    /// 1:N: the only unmatched left record of an (asset, reference) equals, within the tolerance, the sum of all (two or
    /// more) unmatched right records of that reference, each within the date lag of it.
    /// </summary>
    OneToMany = 3,

    /// <summary>N:1, the mirror of <see cref="OneToMany"/>.</summary>
    ManyToOne = 4,

    /// <summary>
    /// 1:1 where at least one side has no reference (two different references never match): same asset, amount and
    /// kind, within the date lag, and unambiguous (each is the other's only candidate); otherwise the records become
    /// <see cref="BreakReason.Ambiguous"/> breaks rather than a guess.
    /// </summary>
    AmountWithoutReference = 5,

    /// <summary>
    /// An original and its reversal on one side (two or more unmatched records of one reference summing exactly to
    /// zero) when the other side has nothing unmatched under that reference: nothing moved, so nothing to reconcile.
    /// </summary>
    NetWithinSide = 6,
}

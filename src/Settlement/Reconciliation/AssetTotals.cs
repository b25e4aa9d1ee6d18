namespace Settlement.Service.Reconciliation;

/// <summary>Net amounts of one asset in a pairing (signed sums in base units; duplicate copies are not counted).</summary>
/// <param name="Asset">The asset.</param>
/// <param name="MatchedLeft">Σ of the left side's matched records.</param>
/// <param name="MatchedRight">Σ of the right side's matched records.</param>
/// <param name="UnmatchedLeft">Σ of the left side's records in breaks.</param>
/// <param name="UnmatchedRight">Σ of the right side's records in breaks.</param>
public sealed record AssetTotals(string Asset, Int128 MatchedLeft, Int128 MatchedRight, Int128 UnmatchedLeft, Int128 UnmatchedRight);

namespace Settlement.Service.Reconciliation;

/// <summary>Counts for one pairing. Every distinct record is in exactly one match or one break; each extra copy of a duplicate is in one break.</summary>
/// <param name="LeftRecords">Distinct left records (duplicates counted once).</param>
/// <param name="RightRecords">Distinct right records.</param>
/// <param name="DuplicateCopies">Extra copies dropped as duplicates, both sides.</param>
/// <param name="Matches">Matches.</param>
/// <param name="MatchesWithDifference">Matches whose amounts differ (within the tolerance).</param>
/// <param name="MatchedLeft">Left records in matches.</param>
/// <param name="MatchedRight">Right records in matches.</param>
/// <param name="Breaks">Breaks.</param>
/// <param name="Assets">Per asset, ordinal order.</param>
public sealed record ReconciliationTotals(
    int LeftRecords,
    int RightRecords,
    int DuplicateCopies,
    int Matches,
    int MatchesWithDifference,
    int MatchedLeft,
    int MatchedRight,
    int Breaks,
    IReadOnlyList<AssetTotals> Assets);

namespace Settlement.Service.Reconciliation;

/// <summary>
/// The orders that make a run independent of its input order: canonical (time, then id, both exact: UTC ticks and
/// ordinal) for records of one side, and by content for copies of a duplicate.
/// </summary>
internal static class RecordOrder
{
    public static readonly IComparer<ReconciliationRecord> Canonical = Comparer<ReconciliationRecord>.Create(CompareCanonical);

    public static readonly IComparer<ReconciliationRecord> Content = Comparer<ReconciliationRecord>.Create(CompareContent);

    public static int CompareCanonical(ReconciliationRecord? x, ReconciliationRecord? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var c = x.At.UtcTicks.CompareTo(y.At.UtcTicks);
        if (c != 0)
        {
            return c;
        }

        c = x.Source.CompareTo(y.Source);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }

    /// <summary>Every field, so that copies that differ are still ordered the same whatever the input order.</summary>
    public static int CompareContent(ReconciliationRecord? x, ReconciliationRecord? y)
    {
        var c = CompareCanonical(x, y);
        if (c != 0 || x is null || y is null)
        {
            return c;
        }

        c = x.Amount.CompareTo(y.Amount);
        if (c == 0)
        {
            c = string.CompareOrdinal(x.Asset, y.Asset);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Reference, y.Reference);
        }

        if (c == 0)
        {
            c = x.Kind.CompareTo(y.Kind);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Counterparty, y.Counterparty);
        }

        return c != 0 ? c : x.At.Offset.CompareTo(y.At.Offset);
    }
}

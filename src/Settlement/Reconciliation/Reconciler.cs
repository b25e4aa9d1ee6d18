namespace Settlement.Service.Reconciliation;

/// <summary>
/// The reconciliation engine: pure and deterministic (no clock, no I/O; the same records in any order give an equal
/// result). See docs/reconciliation.md for the rules, their order and the break reasons.
/// </summary>
public static class Reconciler
{
    /// <summary>Reconciles one pairing.</summary>
    /// <param name="pairing">The two sources, the rules and optionally the asset.</param>
    /// <param name="left">Records of <see cref="ReconciliationPairing.Left"/> (of its asset, when it names one), any order.</param>
    /// <param name="right">Records of <see cref="ReconciliationPairing.Right"/>, any order.</param>
    /// <returns>Every distinct record in exactly one match or one break; extra copies of duplicates in <see cref="BreakReason.DuplicateRecord"/> breaks.</returns>
    /// <exception cref="ArgumentException">An invalid pairing or rules (the message names the setting), or a record of another source or asset.</exception>
    public static ReconciliationResult Run(ReconciliationPairing pairing, IEnumerable<ReconciliationRecord> left, IEnumerable<ReconciliationRecord> right)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        pairing.Validate();
        return PairingEngine.Run(pairing, left, right);
    }

    /// <summary>
    /// Reconciles several pairings over one stream of records: each record goes to the pairing side of its source (and
    /// asset, for a pairing that names one); a record no pairing takes becomes a <see cref="BreakReason.NotInAnyPairing"/> break.
    /// </summary>
    /// <param name="records">All records, any order.</param>
    /// <param name="pairings">The pairings; names unique, and no two claiming the same source and asset.</param>
    /// <exception cref="ArgumentException">Invalid or overlapping pairings.</exception>
    public static ReconciliationRunResult Run(IEnumerable<ReconciliationRecord> records, IReadOnlyList<ReconciliationPairing> pairings)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(pairings);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var exact = new Dictionary<(ReconciliationSource, string), (int Pairing, bool Left)>();
        var anyAsset = new Dictionary<ReconciliationSource, (int Pairing, bool Left)>();
        for (var p = 0; p < pairings.Count; p++)
        {
            var pairing = pairings[p] ?? throw new ArgumentException($"Pairing {p} is null.", nameof(pairings));
            pairing.Validate();
            if (!names.Add(pairing.Name))
            {
                throw new ArgumentException($"Two pairings are named '{pairing.Name}'.", nameof(pairings));
            }

            foreach (var (source, isLeft) in new[] { (pairing.Left, true), (pairing.Right, false) })
            {
                var claimed = pairing.Asset is null
                    ? anyAsset.ContainsKey(source) || exact.Keys.Any(k => k.Item1 == source) || !anyAsset.TryAdd(source, (p, isLeft))
                    : anyAsset.ContainsKey(source) || !exact.TryAdd((source, pairing.Asset), (p, isLeft));
                if (claimed)
                {
                    throw new ArgumentException(
                        $"Pairing '{pairing.Name}' claims {source} records{(pairing.Asset is null ? "" : " in " + pairing.Asset)} that another pairing already takes.",
                        nameof(pairings));
                }
            }
        }

        var sides = new List<ReconciliationRecord>[pairings.Count * 2];
        for (var i = 0; i < sides.Length; i++)
        {
            sides[i] = [];
        }

        var unassigned = new List<ReconciliationRecord>();
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            if (exact.TryGetValue((record.Source, record.Asset), out var target) || anyAsset.TryGetValue(record.Source, out target))
            {
                sides[(target.Pairing * 2) + (target.Left ? 0 : 1)].Add(record);
            }
            else
            {
                unassigned.Add(record);
            }
        }

        var results = new ReconciliationResult[pairings.Count];
        for (var p = 0; p < pairings.Count; p++)
        {
            results[p] = PairingEngine.Run(pairings[p], sides[p * 2], sides[(p * 2) + 1]);
        }

        unassigned.Sort(RecordOrder.Content);
        var breaks = unassigned.ConvertAll(r => new ReconciliationBreak(
            BreakReason.NotInAnyPairing,
            [r],
            $"No pairing of the run takes {r.Source} records in {r.Asset} ({r.Id})."));
        return new ReconciliationRunResult(results, breaks);
    }
}

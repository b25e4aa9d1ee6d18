using FsCheck;
using FsCheck.Fluent;
using Settlement.Service.Reconciliation;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// Random record sets drawn from small pools (few ids, references, amounts and times) so that duplicates, shared
/// references, tolerance and lag edges, 1:N groups and ambiguous amounts all occur often.
/// </summary>
public sealed class ReconcilerPropertyTests
{
    private static readonly ReconciliationPairing Pairing = new(
        "bank-ledger",
        ReconciliationSource.Bank,
        ReconciliationSource.Ledger,
        new ReconciliationRules { AmountTolerance = 2, MaxDateLag = TimeSpan.FromHours(12) });

    private static readonly Gen<ReconciliationRecord> AnyRecord =
        from bank in Gen.Elements(true, false)
        from id in Gen.Choose(0, 11)
        from reference in Gen.Choose(0, 5)
        from amount in Gen.Elements(-100, -98, -50, 50, 100, 102, 150)
        from hours in Gen.Elements(0, 6, 12, 13, 30)
        from kind in Gen.Elements(ReconciliationKind.Payout, ReconciliationKind.PayoutReturn)
        from asset in Gen.Frequency((9, Gen.Constant("GBP")), (1, Gen.Constant("tGBP")))
        select new ReconciliationRecord(
            bank ? ReconciliationSource.Bank : ReconciliationSource.Ledger,
            (bank ? "b" : "l") + id,
            reference == 0 ? null : "R" + reference,
            asset,
            amount,
            Recon.T0.AddHours(hours),
            kind);

    private static readonly Arbitrary<(ReconciliationRecord[] Records, int Seed)> Inputs =
        Gen.ArrayOf(AnyRecord).Zip(Gen.Choose(0, int.MaxValue)).Select(t => (t.Item1, t.Item2)).ToArbitrary();

    [Fact]
    public void Run_AnyPermutationOfTheInput_ByteIdenticalReportsAndEqualResult()
    {
        Prop.ForAll(Inputs, input =>
        {
            var (records, seed) = input;
            var shuffled = records.ToArray();
            new Random(seed).Shuffle(shuffled);
            var one = Run(records);
            var other = Run(shuffled);
            return BreakReport.ToJson(one) == BreakReport.ToJson(other)
                && BreakReport.ToCsv(one) == BreakReport.ToCsv(other)
                && BreakReport.ToTable(one) == BreakReport.ToTable(other)
                && Recon.Matches(one.Pairings[0]).SequenceEqual(Recon.Matches(other.Pairings[0]))
                && Recon.Breaks(one.Pairings[0]).SequenceEqual(Recon.Breaks(other.Pairings[0]))
                && one.Pairings[0].Totals with { Assets = [] } == other.Pairings[0].Totals with { Assets = [] }
                && one.Pairings[0].Totals.Assets.SequenceEqual(other.Pairings[0].Totals.Assets);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void Run_AnyInput_EveryRecordInExactlyOneMatchOrOneBreak()
    {
        Prop.ForAll(Inputs, input =>
        {
            var result = Run(input.Records).Pairings[0];
            var placed = result.Matches.SelectMany(m => m.Left.Concat(m.Right)).Concat(result.Breaks.SelectMany(b => b.Records)).ToList();

            // Each input record (duplicate copies included) appears exactly as often as it was given: by reference, so a
            // record counted in two places or dropped shows.
            var given = CountByReference(input.Records);
            var seen = CountByReference(placed);
            var distinct = input.Records.Select(r => (r.Source, r.Id)).Distinct().Count();
            var totals = result.Totals;
            return given.Count == seen.Count
                && given.All(g => seen.TryGetValue(g.Key, out var n) && n == g.Value)
                && totals.LeftRecords + totals.RightRecords == distinct
                && totals.LeftRecords + totals.RightRecords + totals.DuplicateCopies == input.Records.Length
                && totals.MatchedLeft + totals.MatchedRight
                    + result.Breaks.Where(b => b.Reason != BreakReason.DuplicateRecord).Sum(b => b.Records.Count) == distinct
                && result.Matches.All(m => Int128.Abs(m.Difference) <= Pairing.Rules.AmountTolerance)
                && result.Matches.All(m => m.Left.Concat(m.Right).Select(r => r.Asset).Distinct().Count() == 1);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void Run_LargeGroupSearchByAmount_SameResultAsComparingEveryPair()
    {
        // Two references only, so groups are large; the engine must pick the same partners either way.
        var fewReferences = AnyRecord.Select(r => new ReconciliationRecord(
            r.Source, r.Id, r.Reference is null ? null : "R" + (r.Reference[^1] % 2), r.Asset, r.Amount, r.At, r.Kind));
        var inputs = Gen.ArrayOf(fewReferences).ToArbitrary();
        Prop.ForAll(inputs, records =>
        {
            var bank = records.Where(r => r.Source == ReconciliationSource.Bank).ToArray();
            var ledger = records.Where(r => r.Source == ReconciliationSource.Ledger).ToArray();
            var everyPair = PairingEngine.Run(Pairing, bank, ledger, largeGroup: long.MaxValue);
            var byAmount = PairingEngine.Run(Pairing, bank, ledger, largeGroup: 0);
            return BreakReport.ToJson(new ReconciliationRunResult(everyPair)) == BreakReport.ToJson(new ReconciliationRunResult(byAmount))
                && Recon.Matches(everyPair).SequenceEqual(Recon.Matches(byAmount));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    private static Dictionary<ReconciliationRecord, int> CountByReference(IEnumerable<ReconciliationRecord> records)
    {
        var counts = new Dictionary<ReconciliationRecord, int>(ReferenceEqualityComparer.Instance);
        foreach (var r in records)
        {
            counts[r] = counts.GetValueOrDefault(r) + 1;
        }

        return counts;
    }

    private static ReconciliationRunResult Run(ReconciliationRecord[] records) =>
        new(Reconciler.Run(
            Pairing,
            records.Where(r => r.Source == ReconciliationSource.Bank),
            records.Where(r => r.Source == ReconciliationSource.Ledger)));
}

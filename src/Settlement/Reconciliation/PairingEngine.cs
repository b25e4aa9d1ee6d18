using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Settlement.Service.Reconciliation;

/// <summary>
/// Reconciles one pairing. Pure: no clock, no I/O. Both sides are deduplicated and put in canonical order (time, then
/// id) first, and every later step walks those arrays or structures built from them in that order, so the result does
/// not depend on the input order. Records are joined by hash: (asset, reference) groups for the reference rules, then
/// (asset, amount, kind) buckets swept by time for the rule without a reference.
/// </summary>
internal sealed class PairingEngine
{
    /// <summary>Above this many left × right pairs a reference group is searched by amount (rules a and b).</summary>
    internal const int LargeGroup = 64;

    private readonly ReconciliationPairing _pairing;
    private readonly ReconciliationRules _rules;
    private readonly long _lagTicks;
    private readonly Int128 _tolerance;
    private readonly Side _left;
    private readonly Side _right;
    private readonly List<ReconciliationMatch> _matches = [];
    private readonly List<ReconciliationBreak> _breaks = [];
    private readonly List<string> _groupReferences = [];
    private readonly long _largeGroup;
    private int _duplicateCopies;
    private int _groupCount;

    private PairingEngine(ReconciliationPairing pairing, long largeGroup)
    {
        _largeGroup = largeGroup;
        _pairing = pairing;
        _rules = pairing.Rules;
        _lagTicks = _rules.MaxDateLag.Ticks;
        _tolerance = _rules.AmountTolerance;
        _left = new Side(pairing.Left);
        _right = new Side(pairing.Right);
    }

    /// <param name="pairing">A validated pairing.</param>
    /// <param name="left">The left side's records.</param>
    /// <param name="right">The right side's records.</param>
    /// <param name="largeGroup">Tests only: where rules a and b switch to the search by amount (both must agree).</param>
    public static ReconciliationResult Run(
        ReconciliationPairing pairing, IEnumerable<ReconciliationRecord> left, IEnumerable<ReconciliationRecord> right, long largeGroup = LargeGroup)
    {
        var engine = new PairingEngine(pairing, largeGroup);
        engine.Load(engine._left, left);
        engine.Load(engine._right, right);
        engine.BuildGroups();
        foreach (var rule in engine._rules.Order)
        {
            engine.Apply(rule);
        }

        engine.BuildBreaks();
        return engine.Finish();
    }

    private void Apply(MatchRule rule)
    {
        switch (rule)
        {
            case MatchRule.ExactReference:
                MatchOneToOne(tolerant: false);
                break;
            case MatchRule.ReferenceWithinTolerance:
                MatchOneToOne(tolerant: true);
                break;
            case MatchRule.OneToMany:
                MatchOneToMany(_left, _right, oneIsLeft: true, rule);
                break;
            case MatchRule.ManyToOne:
                MatchOneToMany(_right, _left, oneIsLeft: false, rule);
                break;
            case MatchRule.AmountWithoutReference:
                MatchWithoutReference();
                break;
            case MatchRule.NetWithinSide:
                NetWithinSide(_left, _right, leftSide: true);
                NetWithinSide(_right, _left, leftSide: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a rule.");
        }
    }

    // ---- loading: side check, duplicates, canonical order ----------------------------------------------------------

    private void Load(Side side, IEnumerable<ReconciliationRecord> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var list = input is ICollection<ReconciliationRecord> c ? new List<ReconciliationRecord>(c.Count) : [];
        var index = new Dictionary<string, int>(list.Capacity, StringComparer.Ordinal);
        Dictionary<string, List<ReconciliationRecord>>? copies = null;
        foreach (var record in input)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(input));
            if (!_pairing.Takes(side.Source, record.Source, record.Asset))
            {
                throw new ArgumentException(
                    $"Pairing '{_pairing.Name}': record {record.Source} {record.Id} ({record.Asset}) does not belong to its {side.Source} side.",
                    nameof(input));
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, record.Id, out var seen);
            if (!seen)
            {
                slot = list.Count;
                list.Add(record);
                continue;
            }

            copies ??= new Dictionary<string, List<ReconciliationRecord>>(StringComparer.Ordinal);
            if (!copies.TryGetValue(record.Id, out var same))
            {
                same = [list[slot]];
                copies.Add(record.Id, same);
            }

            same.Add(record);
        }

        if (copies is not null)
        {
            foreach (var (id, same) in copies)
            {
                // The copy kept is the first by content, so which one arrived first does not matter.
                same.Sort(RecordOrder.Content);
                list[index[id]] = same[0];
                var extra = same.GetRange(1, same.Count - 1).ToArray();
                _duplicateCopies += extra.Length;
                var differ = false;
                foreach (var e in extra)
                {
                    differ |= !e.Equals(same[0]);
                }

                _breaks.Add(new ReconciliationBreak(
                    BreakReason.DuplicateRecord,
                    extra,
                    Invariant($"{extra.Length} more cop{(extra.Length == 1 ? "y" : "ies")} of {side.Source} record {id}{(differ ? " with different contents" : "")}; the first copy is reconciled, the rest are not counted.")));
            }
        }

        side.Records = [.. list];
        SortCanonical(side.Records);
        side.Used = new bool[side.Records.Length];
    }

    /// <summary>
    /// Canonical order, fast: sort by UTC ticks as primitive keys (no record is touched while comparing), then order the
    /// rare runs of equal times by source and id.
    /// </summary>
    private static void SortCanonical(ReconciliationRecord[] records)
    {
        var ticks = new long[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            ticks[i] = records[i].At.UtcTicks;
        }

        Array.Sort(ticks, records);
        for (var i = 0; i < records.Length;)
        {
            var j = i + 1;
            while (j < records.Length && ticks[j] == ticks[i])
            {
                j++;
            }

            if (j - i > 1)
            {
                Array.Sort(records, i, j - i, RecordOrder.Canonical);
            }

            i = j;
        }
    }

    // ---- (asset, reference) groups ---------------------------------------------------------------------------------

    private void BuildGroups()
    {
        var groups = new Dictionary<GroupKey, int>(_left.Records.Length + (_right.Records.Length / 4));
        Assign(_left);
        Assign(_right);
        _groupCount = groups.Count;
        _left.BucketBy(_left.GroupOf, _groupCount, out _left.GroupStart, out _left.GroupMembers);
        _right.BucketBy(_right.GroupOf, _groupCount, out _right.GroupStart, out _right.GroupMembers);

        void Assign(Side side)
        {
            var records = side.Records;
            side.GroupOf = new int[records.Length];
            for (var i = 0; i < records.Length; i++)
            {
                var r = records[i];
                if (r.Reference is null)
                {
                    side.GroupOf[i] = -1;
                    continue;
                }

                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, new GroupKey(r.Asset, r.Reference), out var exists);
                if (!exists)
                {
                    slot = groups.Count - 1;
                    _groupReferences.Add(r.Reference);
                }

                side.GroupOf[i] = slot;
            }
        }
    }

    // ---- rules a and b: 1:1 by reference ---------------------------------------------------------------------------

    private void MatchOneToOne(bool tolerant)
    {
        var rule = tolerant ? MatchRule.ReferenceWithinTolerance : MatchRule.ExactReference;
        var (l, r) = (_left, _right);
        var reach = tolerant ? _tolerance : Int128.Zero;
        for (var g = 0; g < _groupCount; g++)
        {
            int ls = l.GroupStart[g], le = l.GroupStart[g + 1], rs = r.GroupStart[g], re = r.GroupStart[g + 1];
            if (ls == le || rs == re)
            {
                continue;
            }

            // A large group (many records under one reference, e.g. a channel id) is searched by amount instead of
            // comparing every pair; both searches pick the same partner.
            var byAmount = (long)(le - ls) * (re - rs) > _largeGroup ? ByAmount(r, rs, re) : null;
            for (var x = ls; x < le; x++)
            {
                var li = l.GroupMembers[x];
                if (l.Used[li])
                {
                    continue;
                }

                var a = l.Records[li];
                var best = new Candidate(-1, 0, 0);
                if (byAmount is null)
                {
                    for (var y = rs; y < re; y++)
                    {
                        best = Closer(a, r, r.GroupMembers[y], reach, best);
                    }
                }
                else
                {
                    var (amounts, members) = byAmount.Value;
                    var lowest = a.Amount - reach;
                    var lo = 0;
                    var hi = amounts.Length;
                    while (lo < hi)
                    {
                        var mid = (lo + hi) >>> 1;
                        (lo, hi) = amounts[mid] < lowest ? (mid + 1, hi) : (lo, mid);
                    }

                    for (var y = lo; y < amounts.Length && amounts[y] <= a.Amount + reach; y++)
                    {
                        best = Closer(a, r, members[y], reach, best);
                    }
                }

                if (best.Index >= 0)
                {
                    l.Used[li] = true;
                    r.Used[best.Index] = true;
                    var b = r.Records[best.Index];
                    _matches.Add(new ReconciliationMatch(rule, [a], [b], a.Amount - b.Amount));
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="best"/> or the right record <paramref name="ri"/> if it is a closer partner for
    /// <paramref name="a"/>: unused, amount within <paramref name="reach"/>, within the lag; closest amount, then closest
    /// time, then first in canonical order (the lower index).
    /// </summary>
    private Candidate Closer(ReconciliationRecord a, Side r, int ri, Int128 reach, Candidate best)
    {
        if (r.Used[ri])
        {
            return best;
        }

        var b = r.Records[ri];
        var abs = Int128.Abs(a.Amount - b.Amount);
        if (abs > reach)
        {
            return best;
        }

        var lag = Math.Abs(a.At.UtcTicks - b.At.UtcTicks);
        if (lag > _lagTicks)
        {
            return best;
        }

        var better = best.Index < 0
            || abs < best.Difference
            || (abs == best.Difference && (lag < best.Lag || (lag == best.Lag && ri < best.Index)));
        return better ? new Candidate(ri, abs, lag) : best;
    }

    /// <summary>A group's right members sorted by amount (then canonical order), with the amounts alongside.</summary>
    private static (Int128[] Amounts, int[] Members)? ByAmount(Side r, int rs, int re)
    {
        var members = r.GroupMembers.AsSpan(rs, re - rs).ToArray();
        var amounts = new Int128[members.Length];
        for (var y = 0; y < members.Length; y++)
        {
            amounts[y] = r.Records[members[y]].Amount;
        }

        // Members are in canonical order already; a stable sort by amount keeps it within one amount.
        var order = new int[members.Length];
        for (var y = 0; y < order.Length; y++)
        {
            order[y] = y;
        }

        Array.Sort(order, (x, y) => amounts[x] != amounts[y] ? amounts[x].CompareTo(amounts[y]) : x.CompareTo(y));
        var sortedMembers = new int[members.Length];
        var sortedAmounts = new Int128[members.Length];
        for (var y = 0; y < order.Length; y++)
        {
            sortedMembers[y] = members[order[y]];
            sortedAmounts[y] = amounts[order[y]];
        }

        return (sortedAmounts, sortedMembers);
    }

    // ---- rules c and d: 1:N and N:1 by reference -------------------------------------------------------------------

    private void MatchOneToMany(Side one, Side many, bool oneIsLeft, MatchRule rule)
    {
        for (var g = 0; g < _groupCount; g++)
        {
            var single = -1;
            var singles = 0;
            for (var x = one.GroupStart[g]; x < one.GroupStart[g + 1] && singles < 2; x++)
            {
                if (!one.Used[one.GroupMembers[x]])
                {
                    single = one.GroupMembers[x];
                    singles++;
                }
            }

            if (singles != 1)
            {
                continue;
            }

            var anchor = one.Records[single];
            var count = 0;
            Int128 sum = 0;
            var withinLag = true;
            for (var y = many.GroupStart[g]; y < many.GroupStart[g + 1]; y++)
            {
                var mi = many.GroupMembers[y];
                if (!many.Used[mi])
                {
                    count++;
                    sum += many.Records[mi].Amount;
                    withinLag &= Math.Abs(anchor.At.UtcTicks - many.Records[mi].At.UtcTicks) <= _lagTicks;
                }
            }

            var difference = anchor.Amount - sum;
            if (count < 2 || !withinLag || Int128.Abs(difference) > _tolerance)
            {
                continue;
            }

            var members = new ReconciliationRecord[count];
            var k = 0;
            for (var y = many.GroupStart[g]; y < many.GroupStart[g + 1]; y++)
            {
                var mi = many.GroupMembers[y];
                if (!many.Used[mi])
                {
                    many.Used[mi] = true;
                    members[k++] = many.Records[mi];
                }
            }

            one.Used[single] = true;
            _matches.Add(oneIsLeft
                ? new ReconciliationMatch(rule, [anchor], members, difference)
                : new ReconciliationMatch(rule, members, [anchor], -difference));
        }
    }

    // ---- rule e: 1:1 without a reference, unambiguous only ---------------------------------------------------------

    private void MatchWithoutReference()
    {
        var (l, r) = (_left, _right);
        var buckets = new Dictionary<BucketKey, int>();
        var leftBucket = new int[l.Records.Length];
        var rightBucket = new int[r.Records.Length];
        for (var i = 0; i < leftBucket.Length; i++)
        {
            var a = l.Records[i];
            if (l.Used[i])
            {
                leftBucket[i] = -1;
                continue;
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(buckets, new BucketKey(a.Asset, a.Amount, a.Kind), out var exists);
            if (!exists)
            {
                slot = buckets.Count - 1;
            }

            leftBucket[i] = slot;
        }

        for (var i = 0; i < rightBucket.Length; i++)
        {
            var b = r.Records[i];
            rightBucket[i] = !r.Used[i] && buckets.TryGetValue(new BucketKey(b.Asset, b.Amount, b.Kind), out var bucket) ? bucket : -1;
        }

        var bucketCount = buckets.Count;
        l.BucketBy(leftBucket, bucketCount, out var lStart, out var lMembers);
        r.BucketBy(rightBucket, bucketCount, out var rStart, out var rMembers);
        var lSweep = new Sweep(l, lMembers);
        var rSweep = new Sweep(r, rMembers);
        for (var bucket = 0; bucket < bucketCount; bucket++)
        {
            int ls = lStart[bucket], le = lStart[bucket + 1], rs = rStart[bucket], re = rStart[bucket + 1];
            if (rs == re)
            {
                continue;
            }

            lSweep.Count(ls, le, rSweep, rs, re, _lagTicks);
            rSweep.Count(rs, re, lSweep, ls, le, _lagTicks);
            for (var x = ls; x < le; x++)
            {
                var li = lMembers[x];
                var candidates = lSweep.Candidates[x];
                if (candidates == 1 && rSweep.Candidates[lSweep.First[x]] == 1)
                {
                    var ri = rMembers[lSweep.First[x]];
                    l.Used[li] = true;
                    r.Used[ri] = true;
                    _matches.Add(new ReconciliationMatch(MatchRule.AmountWithoutReference, [l.Records[li]], [r.Records[ri]], 0));
                }
            }

            MarkAmbiguous(lSweep, ls, le, rSweep);
            MarkAmbiguous(rSweep, rs, re, lSweep);
        }
    }

    private void MarkAmbiguous(Sweep self, int from, int to, Sweep other)
    {
        for (var x = from; x < to; x++)
        {
            var i = self.Members[x];
            if (self.Side.Used[i] || self.Candidates[x] == 0)
            {
                continue;
            }

            var record = self.Side.Records[i];
            if (self.Candidates[x] >= 2)
            {
                var ids = new StringBuilder();
                var listed = 0;
                for (var y = self.First[x]; y < self.End[x] && listed < 5; y++)
                {
                    var candidate = other.Side.Records[other.Members[y]];
                    if (record.Reference is null || candidate.Reference is null)
                    {
                        ids.Append(listed++ == 0 ? "" : ", ").Append(candidate.Id);
                    }
                }

                if (self.Candidates[x] > listed)
                {
                    ids.Append(Invariant($" and {self.Candidates[x] - listed} more"));
                }

                self.Side.Ambiguity[i] = Invariant(
                    $"Without a reference, {self.Candidates[x]} {other.Side.Source} records could match {record.Source} {record.Id} ({record.Kind}, {record.Amount} {record.Asset}): {ids}.");
            }
            else
            {
                var only = other.Side.Records[other.Members[self.First[x]]];
                self.Side.Ambiguity[i] = Invariant(
                    $"Without a reference, the only candidate for {record.Source} {record.Id}, {only.Source} {only.Id}, could match {other.Candidates[self.First[x]]} {record.Source} records.");
            }
        }
    }

    // ---- rule f: an original and its reversal on one side ---------------------------------------------------------

    private void NetWithinSide(Side side, Side other, bool leftSide)
    {
        for (var g = 0; g < _groupCount; g++)
        {
            var otherOpen = false;
            for (var y = other.GroupStart[g]; y < other.GroupStart[g + 1] && !otherOpen; y++)
            {
                otherOpen = !other.Used[other.GroupMembers[y]];
            }

            if (otherOpen)
            {
                continue;
            }

            var count = 0;
            Int128 sum = 0;
            for (var x = side.GroupStart[g]; x < side.GroupStart[g + 1]; x++)
            {
                var i = side.GroupMembers[x];
                if (!side.Used[i])
                {
                    count++;
                    sum += side.Records[i].Amount;
                }
            }

            if (count < 2 || sum != Int128.Zero)
            {
                continue;
            }

            var netted = TakeOpen(side, g);
            _matches.Add(leftSide
                ? new ReconciliationMatch(MatchRule.NetWithinSide, netted, [], 0)
                : new ReconciliationMatch(MatchRule.NetWithinSide, [], netted, 0));
        }
    }

    // ---- breaks ----------------------------------------------------------------------------------------------------

    private void BuildBreaks()
    {
        Dictionary<string, List<int>>? oneSided = null;
        for (var g = 0; g < _groupCount; g++)
        {
            var leftOpen = Open(_left, g);
            var rightOpen = Open(_right, g);
            if (leftOpen && rightOpen)
            {
                GroupBreak(g);
            }
            else if (leftOpen || rightOpen)
            {
                oneSided ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
                var reference = _groupReferences[g];
                if (!oneSided.TryGetValue(reference, out var list))
                {
                    oneSided.Add(reference, list = []);
                }

                list.Add(g);
            }
        }

        if (oneSided is not null)
        {
            foreach (var (reference, groups) in oneSided)
            {
                var onLeft = groups.Exists(g => Open(_left, g));
                var onRight = groups.Exists(g => Open(_right, g));
                if (onLeft && onRight)
                {
                    AssetMismatch(reference, groups);
                    continue;
                }

                foreach (var g in groups)
                {
                    var side = onLeft ? _left : _right;
                    for (var x = side.GroupStart[g]; x < side.GroupStart[g + 1]; x++)
                    {
                        RecordBreak(side, side.GroupMembers[x]);
                    }
                }
            }
        }

        foreach (var side in new[] { _left, _right })
        {
            for (var i = 0; i < side.Records.Length; i++)
            {
                if (side.GroupOf[i] < 0)
                {
                    RecordBreak(side, i);
                }
            }
        }
    }

    private void GroupBreak(int g)
    {
        var left = TakeOpen(_left, g);
        var right = TakeOpen(_right, g);
        Int128 sumLeft = 0, sumRight = 0;
        long minLeft = long.MaxValue, maxLeft = long.MinValue, minRight = long.MaxValue, maxRight = long.MinValue;
        foreach (var a in left)
        {
            sumLeft += a.Amount;
            (minLeft, maxLeft) = (Math.Min(minLeft, a.At.UtcTicks), Math.Max(maxLeft, a.At.UtcTicks));
        }

        foreach (var b in right)
        {
            sumRight += b.Amount;
            (minRight, maxRight) = (Math.Min(minRight, b.At.UtcTicks), Math.Max(maxRight, b.At.UtcTicks));
        }

        var difference = sumLeft - sumRight;
        var lag = TimeSpan.FromTicks(Math.Max(maxRight - minLeft, maxLeft - minRight));
        var reference = _groupReferences[g];
        var asset = left[0].Asset;
        var counts = left.Length == 1 && right.Length == 1 ? "" : Invariant($" ({left.Length} {_left.Source} and {right.Length} {_right.Source} records, sums)");
        BreakReason reason;
        string detail;
        if (Int128.Abs(difference) > _tolerance)
        {
            reason = BreakReason.AmountMismatch;
            detail = Invariant($"Reference {reference}{counts}: {_left.Source} {sumLeft} vs {_right.Source} {sumRight} {asset}, difference {difference} is more than the tolerance {_rules.AmountTolerance}.");
        }
        else if (lag > _rules.MaxDateLag)
        {
            reason = BreakReason.DateLagExceeded;
            detail = Invariant($"Reference {reference}{counts}: amounts agree within the tolerance {_rules.AmountTolerance} but the records are {Lag(lag)} apart, more than the lag {Lag(_rules.MaxDateLag)}.");
        }
        else
        {
            reason = BreakReason.NoMatchingRule;
            detail = Invariant($"Reference {reference}{counts}: sums and times agree, but no rule in the order pairs them.");
        }

        _breaks.Add(new ReconciliationBreak(reason, [.. left, .. right], detail, difference));
    }

    private void AssetMismatch(string reference, List<int> groups)
    {
        var left = new List<ReconciliationRecord>();
        var right = new List<ReconciliationRecord>();
        foreach (var g in groups)
        {
            left.AddRange(TakeOpen(_left, g));
            right.AddRange(TakeOpen(_right, g));
        }

        left.Sort(RecordOrder.Canonical);
        right.Sort(RecordOrder.Canonical);
        Int128 sumLeft = 0, sumRight = 0;
        left.ForEach(a => sumLeft += a.Amount);
        right.ForEach(b => sumRight += b.Amount);
        var leftAssets = string.Join("/", left.Select(a => a.Asset).Distinct().Order(StringComparer.Ordinal));
        var rightAssets = string.Join("/", right.Select(b => b.Asset).Distinct().Order(StringComparer.Ordinal));
        _breaks.Add(new ReconciliationBreak(
            BreakReason.AssetMismatch,
            [.. left, .. right],
            Invariant($"Reference {reference}: {_left.Source} has it in {leftAssets}, {_right.Source} in {rightAssets}; records only match within one asset."),
            sumLeft - sumRight));
    }

    private void RecordBreak(Side side, int i)
    {
        if (side.Used[i])
        {
            return;
        }

        side.Used[i] = true;
        var record = side.Records[i];
        if (side.Ambiguity[i] is { } ambiguity)
        {
            _breaks.Add(new ReconciliationBreak(BreakReason.Ambiguous, [record], ambiguity));
            return;
        }

        var other = ReferenceEquals(side, _left) ? _right.Source : _left.Source;
        var reason = other switch
        {
            ReconciliationSource.Bank => BreakReason.MissingInBank,
            ReconciliationSource.Ledger => BreakReason.MissingInLedger,
            _ => BreakReason.MissingOnChain,
        };
        var key = record.Reference is null ? "no reference" : "reference " + record.Reference;
        _breaks.Add(new ReconciliationBreak(
            reason,
            [record],
            Invariant($"No {other} record matches {record.Source} {record.Id} ({record.Kind}, {record.Amount} {record.Asset}, {key}).")));
    }

    private static bool Open(Side side, int g)
    {
        for (var x = side.GroupStart[g]; x < side.GroupStart[g + 1]; x++)
        {
            if (!side.Used[side.GroupMembers[x]])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The group's unused records in canonical order, now marked used (by a match or a break: the caller's).</summary>
    private static ReconciliationRecord[] TakeOpen(Side side, int g)
    {
        var taken = new List<ReconciliationRecord>();
        for (var x = side.GroupStart[g]; x < side.GroupStart[g + 1]; x++)
        {
            var i = side.GroupMembers[x];
            if (!side.Used[i])
            {
                side.Used[i] = true;
                taken.Add(side.Records[i]);
            }
        }

        return [.. taken];
    }

    // ---- result ----------------------------------------------------------------------------------------------------

    private ReconciliationResult Finish()
    {
        var matches = _matches.ToArray();
        var matchKeys = new SortKey[matches.Length];
        var matchesWithDifference = 0;
        var matchedLeft = 0;
        var matchedRight = 0;
        var assets = new SortedDictionary<string, Int128[]>(StringComparer.Ordinal);
        for (var m = 0; m < matches.Length; m++)
        {
            var match = matches[m];
            matchesWithDifference += match.HasDifference ? 1 : 0;
            matchedLeft += match.Left.Count;
            matchedRight += match.Right.Count;
            matchKeys[m] = SortKey.Of(match.Left, match.Right, 0);
            Sum(assets, match.Left, 0);
            Sum(assets, match.Right, 1);
        }

        Array.Sort(matchKeys, matches);
        var breaks = _breaks.ToArray();
        var breakKeys = new SortKey[breaks.Length];
        for (var b = 0; b < breaks.Length; b++)
        {
            var item = breaks[b];
            breakKeys[b] = SortKey.Of(item.Records, [], (int)item.Reason);
            if (item.Reason != BreakReason.DuplicateRecord)
            {
                foreach (var record in item.Records)
                {
                    Add(assets, record, record.Source == _left.Source ? 2 : 3);
                }
            }
        }

        Array.Sort(breakKeys, breaks);
        var totals = new ReconciliationTotals(
            _left.Records.Length,
            _right.Records.Length,
            _duplicateCopies,
            matches.Length,
            matchesWithDifference,
            matchedLeft,
            matchedRight,
            breaks.Length,
            [.. assets.Select(a => new AssetTotals(a.Key, a.Value[0], a.Value[1], a.Value[2], a.Value[3]))]);
        return new ReconciliationResult(_pairing, matches, breaks, totals);

        static void Sum(SortedDictionary<string, Int128[]> assets, IReadOnlyList<ReconciliationRecord> records, int column)
        {
            for (var i = 0; i < records.Count; i++)
            {
                Add(assets, records[i], column);
            }
        }

        static void Add(SortedDictionary<string, Int128[]> assets, ReconciliationRecord record, int column)
        {
            if (!assets.TryGetValue(record.Asset, out var sums))
            {
                assets.Add(record.Asset, sums = new Int128[4]);
            }

            sums[column] += record.Amount;
        }
    }

    private static string Lag(TimeSpan lag) => lag.ToString("c", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct GroupKey(string Asset, string Reference);

    private readonly record struct Candidate(int Index, Int128 Difference, long Lag);

    private readonly record struct BucketKey(string Asset, Int128 Amount, ReconciliationKind Kind);

    /// <summary>Orders matches and breaks by their earliest record (time, source, id), then the reason.</summary>
    private readonly record struct SortKey(long Ticks, ReconciliationSource Source, string Id, int Tie) : IComparable<SortKey>
    {
        public static SortKey Of(IReadOnlyList<ReconciliationRecord> first, IReadOnlyList<ReconciliationRecord> second, int tie)
        {
            ReconciliationRecord? earliest = null;
            foreach (var list in (ReadOnlySpan<IReadOnlyList<ReconciliationRecord>>)[first, second])
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (earliest is null || RecordOrder.CompareCanonical(list[i], earliest) < 0)
                    {
                        earliest = list[i];
                    }
                }
            }

            return new SortKey(earliest!.At.UtcTicks, earliest.Source, earliest.Id, tie);
        }

        public int CompareTo(SortKey other)
        {
            var c = Ticks.CompareTo(other.Ticks);
            if (c == 0)
            {
                c = Source.CompareTo(other.Source);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(Id, other.Id);
            }

            return c != 0 ? c : Tie.CompareTo(other.Tie);
        }
    }

    /// <summary>One side's records in canonical order and what the rules have done with them.</summary>
    private sealed class Side(ReconciliationSource source)
    {
        public ReconciliationSource Source { get; } = source;

        public ReconciliationRecord[] Records { get; set; } = [];

        public bool[] Used { get; set; } = [];

        public int[] GroupOf { get; set; } = [];

        public int[] GroupStart = [];

        public int[] GroupMembers = [];

        private string?[]? _ambiguity;

        /// <summary>Why a record could not be matched without a reference (null = it was not ambiguous).</summary>
        public string?[] Ambiguity => _ambiguity ??= new string?[Records.Length];

        /// <summary>Counting sort of the record indexes by <paramref name="keyOf"/> (−1 = none); each bucket keeps canonical order.</summary>
        public void BucketBy(int[] keyOf, int keys, out int[] start, out int[] members)
        {
            start = new int[keys + 1];
            var total = 0;
            foreach (var k in keyOf)
            {
                if (k >= 0)
                {
                    start[k + 1]++;
                    total++;
                }
            }

            for (var k = 0; k < keys; k++)
            {
                start[k + 1] += start[k];
            }

            members = new int[total];
            var fill = start.AsSpan(0, keys).ToArray();
            for (var i = 0; i < keyOf.Length; i++)
            {
                if (keyOf[i] >= 0)
                {
                    members[fill[keyOf[i]]++] = i;
                }
            }
        }
    }

    /// <summary>
    /// The time sweep of one bucket for the rule without a reference: per member, how many members of the other side's
    /// bucket lie within the lag and may pair with it (at least one of the two without a reference), the first of
    /// them and the end of the window.
    /// </summary>
    private sealed class Sweep
    {
        public Sweep(Side side, int[] members)
        {
            Side = side;
            Members = members;
            Candidates = new int[members.Length];
            First = new int[members.Length];
            End = new int[members.Length];
            NullPrefix = new int[members.Length + 1];
            NextNull = new int[members.Length + 1];
            for (var x = 0; x < members.Length; x++)
            {
                NullPrefix[x + 1] = NullPrefix[x] + (side.Records[members[x]].Reference is null ? 1 : 0);
            }

            NextNull[members.Length] = members.Length;
            for (var x = members.Length - 1; x >= 0; x--)
            {
                NextNull[x] = side.Records[members[x]].Reference is null ? x : NextNull[x + 1];
            }
        }

        public Side Side { get; }

        public int[] Members { get; }

        public int[] Candidates { get; }

        public int[] First { get; }

        public int[] End { get; }

        private int[] NullPrefix { get; }

        private int[] NextNull { get; }

        public void Count(int from, int to, Sweep other, int otherFrom, int otherTo, long lag)
        {
            int lo = otherFrom, hi = otherFrom;
            for (var x = from; x < to; x++)
            {
                var record = Side.Records[Members[x]];
                var t = record.At.UtcTicks;
                var low = t - lag;
                var high = t > long.MaxValue - lag ? long.MaxValue : t + lag;
                while (lo < otherTo && other.TicksAt(lo) < low)
                {
                    lo++;
                }

                if (hi < lo)
                {
                    hi = lo;
                }

                while (hi < otherTo && other.TicksAt(hi) <= high)
                {
                    hi++;
                }

                End[x] = hi;
                if (record.Reference is null)
                {
                    Candidates[x] = hi - lo;
                    First[x] = lo;
                }
                else
                {
                    Candidates[x] = other.NullPrefix[hi] - other.NullPrefix[lo];
                    First[x] = Candidates[x] > 0 ? other.NextNull[lo] : lo;
                }
            }
        }

        private long TicksAt(int x) => Side.Records[Members[x]].At.UtcTicks;
    }
}

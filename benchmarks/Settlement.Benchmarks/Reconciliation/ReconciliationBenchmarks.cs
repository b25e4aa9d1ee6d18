using System.Diagnostics;
using System.Globalization;
using Settlement.Benchmarks.Payee;
using Settlement.Service.Reconciliation;

namespace Settlement.Benchmarks.Reconciliation;

/// <summary>
/// The reconciliation figure (docs/benchmarks.md, "Reconciliation"; issue: 1,000,000 records in under 10 s). A
/// deterministic synthetic Bank vs Ledger data set of about 500,000 records a side mixes every rule and fault: exact
/// and within-tolerance 1:1, 1:N and N:1 batches, records without a reference, payouts returned, amount mismatches,
/// late bookings, records missing on either side, ambiguous amounts and duplicate deliveries; both sides shuffled.
/// Each run times <see cref="Reconciler.Run(ReconciliationPairing, IEnumerable{ReconciliationRecord}, IEnumerable{ReconciliationRecord})"/>
/// and, in the same run and alternating which goes first, a baseline: a plain <see cref="Dictionary{TKey, TValue}"/>
/// 1:1 join on (asset, reference) with an amount check and nothing else (no ordering, no duplicates, no breaks).
/// The table reports medians over the runs and the median of the per-run ratios.
/// Run: dotnet run -c Release --project benchmarks/Settlement.Benchmarks -- reconcile [runs]
/// </summary>
internal static class ReconciliationBenchmarks
{
    public const int TargetRecords = 1_000_000;
    private const int DefaultRuns = 7;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Run(string[] args)
    {
        var runs = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultRuns;
        var (bank, ledger) = Generate(TargetRecords, seed: 20261202);
        var pairing = new ReconciliationPairing(
            "bank-ledger",
            ReconciliationSource.Bank,
            ReconciliationSource.Ledger,
            new ReconciliationRules { AmountTolerance = 5, MaxDateLag = TimeSpan.FromDays(3) });
        Progress($"{bank.Length:N0} bank + {ledger.Length:N0} ledger records = {bank.Length + ledger.Length:N0}; {runs} runs after a warm-up");

        var ours = new List<double>();
        var baseline = new List<double>();
        var ratios = new List<double>();
        var reportMs = new List<double>();
        ReconciliationResult? last = null;
        for (var run = -1; run < runs; run++)
        {
            double o, b;
            if (run % 2 == 0)
            {
                (o, last) = TimeOurs(pairing, bank, ledger);
                b = TimeBaseline(bank, ledger);
            }
            else
            {
                b = TimeBaseline(bank, ledger);
                (o, last) = TimeOurs(pairing, bank, ledger);
            }

            var start = Stopwatch.GetTimestamp();
            using (var sink = Stream.Null)
            {
                BreakReport.WriteJson(new ReconciliationRunResult(last), sink);
            }

            var r = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Progress($"run {run}: reconcile {o:N0} ms, baseline join {b:N0} ms, JSON break report {r:N0} ms");
            if (run >= 0)
            {
                ours.Add(o);
                baseline.Add(b);
                ratios.Add(o / b);
                reportMs.Add(r);
            }
        }

        var records = bank.Length + ledger.Length;
        var t = last!.Totals;
        Console.WriteLine();
        Console.WriteLine(Invariant($"Data set: {bank.Length:N0} bank + {ledger.Length:N0} ledger = {records:N0} records; {t.Matches:N0} matches ({t.MatchesWithDifference:N0} with a difference), {t.Breaks:N0} breaks, {t.DuplicateCopies:N0} duplicate copies."));
        Console.WriteLine(Invariant($"Rules: {string.Join(" > ", pairing.Rules.Order)}"));
        var byRule = last.Matches.GroupBy(m => m.Rule).OrderBy(g => g.Key).Select(g => Invariant($"{g.Key} {g.Count():N0}"));
        var byReason = last.Breaks.GroupBy(b => b.Reason).OrderBy(g => g.Key).Select(g => Invariant($"{g.Key} {g.Count():N0}"));
        Console.WriteLine("Matches: " + string.Join(", ", byRule));
        Console.WriteLine("Breaks: " + string.Join(", ", byReason));
        Console.WriteLine();
        Console.WriteLine("| Figure | Median | Runs (min–max) | Target |");
        Console.WriteLine("|---|---:|---|---|");
        Console.WriteLine(Invariant($"| Reconciler.Run, {records:N0} records (ms) | {Stats.Median(ours):N0} | {ours.Min():N0}–{ours.Max():N0} | < 10,000 |"));
        Console.WriteLine(Invariant($"| Records/s | {records / (Stats.Median(ours) / 1000):N0} | {records / (ours.Max() / 1000):N0}–{records / (ours.Min() / 1000):N0} | > 100,000 |"));
        Console.WriteLine(Invariant($"| Baseline: Dictionary 1:1 join on (asset, reference) (ms) | {Stats.Median(baseline):N0} | {baseline.Min():N0}–{baseline.Max():N0} | — |"));
        Console.WriteLine(Invariant($"| Ratio Reconciler / baseline (median of per-run ratios) | {Stats.Median(ratios):F2} | {ratios.Min():F2}–{ratios.Max():F2} | — |"));
        Console.WriteLine(Invariant($"| JSON break report of the result (ms) | {Stats.Median(reportMs):N0} | {reportMs.Min():N0}–{reportMs.Max():N0} | — |"));
    }

    private static (double Ms, ReconciliationResult Result) TimeOurs(ReconciliationPairing pairing, ReconciliationRecord[] bank, ReconciliationRecord[] ledger)
    {
        Quiesce();
        var start = Stopwatch.GetTimestamp();
        var result = Reconciler.Run(pairing, bank, ledger);
        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, result);
    }

    /// <summary>The simplest join that still reconciles something: first ledger record per (asset, reference), then a lookup per bank record.</summary>
    private static double TimeBaseline(ReconciliationRecord[] bank, ReconciliationRecord[] ledger)
    {
        Quiesce();
        var start = Stopwatch.GetTimestamp();
        var index = new Dictionary<(string, string), ReconciliationRecord>(ledger.Length);
        foreach (var l in ledger)
        {
            if (l.Reference is not null)
            {
                index.TryAdd((l.Asset, l.Reference), l);
            }
        }

        var matched = 0;
        foreach (var b in bank)
        {
            if (b.Reference is not null && index.TryGetValue((b.Asset, b.Reference), out var l) && l.Amount == b.Amount)
            {
                matched++;
            }
        }

        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        GC.KeepAlive(matched);
        return ms;
    }

    private static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// A fixed mix per 100 scenarios (percent): 62 exact 1:1, 8 within tolerance, 4 one-to-many (2–4 ledger
    /// transfers), 4 many-to-one, 8 without a reference on the bank side, 3 payouts later returned (2 + 2 records),
    /// 2 amount mismatches, 2 late bookings, 2 missing in the ledger, 2 missing at the bank, 1 ambiguous pair of top-ups,
    /// 2 duplicate deliveries. References and ids are built separately per side (no shared string instances).
    /// </summary>
    internal static (ReconciliationRecord[] Bank, ReconciliationRecord[] Ledger) Generate(int target, int seed)
    {
        var random = new Random(seed);
        var bank = new List<ReconciliationRecord>(target / 2 + 1000);
        var ledger = new List<ReconciliationRecord>(target / 2 + 1000);
        var scenario = 0;
        while (bank.Count + ledger.Count < target)
        {
            var s = scenario++;
            var reference = "flow-" + s.ToString("x8", CultureInfo.InvariantCulture);
            var at = T0.AddSeconds(s * 3L + random.Next(0, 3));
            var amount = (long)random.Next(100, 5_000_000);
            var lag = TimeSpan.FromMinutes(random.Next(0, 2 * 24 * 60));
            switch (s % 100)
            {
                case < 62:
                    Pair(amount, amount, lag);
                    break;
                case < 70:
                    Pair(amount, amount + random.Next(-5, 6), lag);
                    break;
                case < 74:
                    {
                        var parts = random.Next(2, 5);
                        bank.Add(Bank(s, 0, reference, -amount * parts, at, ReconciliationKind.Payout));
                        for (var p = 0; p < parts; p++)
                        {
                            ledger.Add(Ledger(s, p, reference, -amount, at + lag, ReconciliationKind.Payout));
                        }

                        break;
                    }

                case < 78:
                    {
                        var parts = random.Next(2, 5);
                        for (var p = 0; p < parts; p++)
                        {
                            bank.Add(Bank(s, p, reference, amount, at, ReconciliationKind.Topup));
                        }

                        ledger.Add(Ledger(s, 0, reference, amount * parts, at + lag, ReconciliationKind.Topup));
                        break;
                    }

                case < 86:
                    bank.Add(Bank(s, 0, null, amount, at, ReconciliationKind.Topup));
                    ledger.Add(Ledger(s, 0, reference, amount, at + lag, ReconciliationKind.Topup));
                    break;
                case < 89:
                    {
                        var back = TimeSpan.FromDays(random.Next(3, 10));
                        bank.Add(Bank(s, 0, reference, -amount, at, ReconciliationKind.Payout));
                        bank.Add(Bank(s, 1, reference, amount, at + back, ReconciliationKind.PayoutReturn));
                        ledger.Add(Ledger(s, 0, reference, -amount, at + lag, ReconciliationKind.Payout));
                        ledger.Add(Ledger(s, 1, reference, amount, at + back + lag, ReconciliationKind.PayoutReturn));
                        break;
                    }

                case < 91:
                    Pair(amount, amount + 1_000, lag);
                    break;
                case < 93:
                    Pair(amount, amount, TimeSpan.FromDays(4 + random.Next(0, 5)));
                    break;
                case < 95:
                    bank.Add(Bank(s, 0, reference, -amount, at, ReconciliationKind.Payout));
                    break;
                case < 97:
                    ledger.Add(Ledger(s, 0, reference, -amount, at, ReconciliationKind.Payout));
                    break;
                case < 98:
                    // Two top-ups of one amount an hour apart, no reference on either side: ambiguous, never guessed.
                    bank.Add(Bank(s, 0, null, 2_500, at, ReconciliationKind.Topup));
                    bank.Add(Bank(s, 1, null, 2_500, at.AddHours(1), ReconciliationKind.Topup));
                    ledger.Add(Ledger(s, 0, null, 2_500, at.AddMinutes(30), ReconciliationKind.Topup));
                    ledger.Add(Ledger(s, 1, null, 2_500, at.AddMinutes(90), ReconciliationKind.Topup));
                    break;
                default:
                    Pair(amount, amount, lag);
                    bank.Add(Bank(s, 0, reference, -amount, at, ReconciliationKind.Payout));
                    break;
            }

            void Pair(long bankAmount, long ledgerAmount, TimeSpan delay)
            {
                bank.Add(Bank(s, 0, reference, -bankAmount, at, ReconciliationKind.Payout));
                ledger.Add(Ledger(s, 0, reference, -ledgerAmount, at + delay, ReconciliationKind.Payout));
            }
        }

        var b = bank.ToArray();
        var l = ledger.ToArray();
        random.Shuffle(b);
        random.Shuffle(l);
        return (b, l);
    }

    private static ReconciliationRecord Bank(int scenario, int part, string? reference, long amount, DateTimeOffset at, ReconciliationKind kind) =>
        new(ReconciliationSource.Bank, Invariant($"pmt-{scenario:x8}-{part}"), reference is null ? null : new string(reference.AsSpan()), "GBP", amount, at, kind);

    private static ReconciliationRecord Ledger(int scenario, int part, string? reference, long amount, DateTimeOffset at, ReconciliationKind kind) =>
        new(ReconciliationSource.Ledger, Invariant($"{scenario:x16}{part:x16}"), reference is null ? null : new string(reference.AsSpan()), "GBP", amount, at, kind);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Progress(string text) => Console.Error.WriteLine($"[reconcile] {text}");
}

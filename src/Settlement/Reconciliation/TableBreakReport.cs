using System.Globalization;
using System.Text;

namespace Settlement.Service.Reconciliation;

/// <summary>
/// The readable break report: per pairing a heading, the totals, the per-asset amounts and one fixed-width table row
/// per record of each break and each match with a difference. Columns are as wide as their widest cell; amounts are
/// right-aligned; control characters in a cell are shown escaped (\n) so a row stays one line; no trailing spaces.
/// </summary>
internal static class TableBreakReport
{
    private static readonly string[] ItemColumns = ["Item", "Reason", "Source", "Id", "Reference", "Asset", "Amount", "At", "Kind", "Detail"];

    public static void Write(ReconciliationRunResult run, TextWriter text)
    {
        var first = true;
        foreach (var result in run.Pairings)
        {
            if (!first)
            {
                text.Write('\n');
            }

            first = false;
            WritePairing(result, text);
        }

        if (run.Unassigned.Count > 0)
        {
            if (!first)
            {
                text.Write('\n');
            }

            Line(text, Invariant($"Unassigned records (no pairing takes them): {run.Unassigned.Count}"));
            text.Write('\n');
            var rows = new List<string[]>();
            var number = 0;
            foreach (var item in run.Unassigned)
            {
                number++;
                rows.AddRange(item.Records.Select(r => ItemRow("U" + Invariant($"{number}"), item.Reason.ToString(), r, item.Detail)));
            }

            Grid(text, ItemColumns, rows, rightAligned: [6]);
        }
    }

    private static void WritePairing(ReconciliationResult result, TextWriter text)
    {
        var p = result.Pairing;
        var t = result.Totals;
        var asset = p.Asset is null ? "" : ", " + Cell(p.Asset);
        Line(text, Invariant($"Pairing {Cell(p.Name)} ({p.Left} vs {p.Right}{asset}): tolerance {p.Rules.AmountTolerance}, lag {ReportText.Lag(p.Rules.MaxDateLag)}"));
        Line(text, Invariant($"Records: {t.LeftRecords} {p.Left}, {t.RightRecords} {p.Right}, {t.DuplicateCopies} duplicate copies. Matches: {t.Matches} ({t.MatchesWithDifference} with difference). Breaks: {t.Breaks}."));
        if (t.Assets.Count > 0)
        {
            text.Write('\n');
            Grid(
                text,
                ["Asset", $"Matched {p.Left}", $"Matched {p.Right}", $"Unmatched {p.Left}", $"Unmatched {p.Right}"],
                [.. t.Assets.Select(a => new[]
                {
                    Cell(a.Asset), ReportText.Amount(a.MatchedLeft), ReportText.Amount(a.MatchedRight),
                    ReportText.Amount(a.UnmatchedLeft), ReportText.Amount(a.UnmatchedRight),
                })],
                rightAligned: [1, 2, 3, 4]);
        }

        var rows = new List<string[]>();
        var number = 0;
        foreach (var item in result.Breaks)
        {
            number++;
            rows.AddRange(item.Records.Select(r => ItemRow("B" + Invariant($"{number}"), item.Reason.ToString(), r, item.Detail)));
        }

        number = 0;
        foreach (var match in ReportText.Differences(result))
        {
            number++;
            var detail = Invariant($"Matched by {match.Rule} with a difference of {match.Difference} (within the tolerance {p.Rules.AmountTolerance}).");
            rows.AddRange(match.Left.Concat(match.Right).Select(r => ItemRow("D" + Invariant($"{number}"), "MatchedWithDifference", r, detail)));
        }

        text.Write('\n');
        if (rows.Count == 0)
        {
            Line(text, "No breaks and no differences.");
            return;
        }

        Grid(text, ItemColumns, rows, rightAligned: [6]);
    }

    private static string[] ItemRow(string item, string reason, ReconciliationRecord r, string detail) =>
    [
        item, reason, r.Source.ToString(), Cell(r.Id), Cell(r.Reference ?? "-"), Cell(r.Asset), ReportText.Amount(r.Amount),
        ReportText.Time(r.At), r.Kind.ToString(), Cell(detail),
    ];

    private static void Grid(TextWriter text, IReadOnlyList<string> header, List<string[]> rows, int[] rightAligned)
    {
        var widths = header.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        Row(text, header, widths, rightAligned);
        Row(text, [.. widths.Select(w => new string('-', w))], widths, []);
        foreach (var row in rows)
        {
            Row(text, row, widths, rightAligned);
        }
    }

    private static void Row(TextWriter text, IReadOnlyList<string> cells, int[] widths, int[] rightAligned)
    {
        var line = new StringBuilder();
        for (var c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                line.Append("  ");
            }

            line.Append(Array.IndexOf(rightAligned, c) >= 0 ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
        }

        Line(text, line.ToString());
    }

    private static void Line(TextWriter text, string line)
    {
        text.Write(line.TrimEnd(' '));
        text.Write('\n');
    }

    /// <summary>A cell on one line: control characters escaped (\n, \r, \t, \u001b …).</summary>
    private static string Cell(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when char.IsControl(ch) => escaped.Append(Invariant($"\\u{(int)ch:x4}")),
                _ => escaped.Append(ch),
            };
        }

        return escaped.ToString();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}

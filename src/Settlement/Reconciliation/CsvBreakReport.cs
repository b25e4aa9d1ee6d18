using System.Globalization;

namespace Settlement.Service.Reconciliation;

/// <summary>
/// The CSV break report (RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled).
/// Columns: pairing, item (B1… breaks, D1… matches with a difference, U1… unassigned records; the rows of one item
/// share it), reason, source, id, reference, asset, amount, at, kind, counterparty, difference, detail.
/// </summary>
internal static class CsvBreakReport
{
    public const string Header = "pairing,item,reason,source,id,reference,asset,amount,at,kind,counterparty,difference,detail";

    public static void Write(ReconciliationRunResult run, TextWriter csv)
    {
        csv.Write(Header);
        csv.Write("\r\n");
        foreach (var result in run.Pairings)
        {
            var number = 0;
            foreach (var item in result.Breaks)
            {
                number++;
                foreach (var record in item.Records)
                {
                    Row(csv, result.Pairing.Name, "B" + Number(number), item.Reason.ToString(), record, item.Difference, item.Detail);
                }
            }

            number = 0;
            foreach (var match in ReportText.Differences(result))
            {
                number++;
                var detail = $"Matched by {match.Rule} with a difference of {ReportText.Amount(match.Difference)} (within the tolerance {ReportText.Number(result.Pairing.Rules.AmountTolerance)}).";
                foreach (var record in match.Left.Concat(match.Right))
                {
                    Row(csv, result.Pairing.Name, "D" + Number(number), "MatchedWithDifference", record, match.Difference, detail);
                }
            }
        }

        var unassigned = 0;
        foreach (var item in run.Unassigned)
        {
            unassigned++;
            foreach (var record in item.Records)
            {
                Row(csv, "", "U" + Number(unassigned), item.Reason.ToString(), record, item.Difference, item.Detail);
            }
        }
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static void Row(TextWriter csv, string pairing, string item, string reason, ReconciliationRecord record, Int128? difference, string detail)
    {
        Field(csv, pairing, first: true);
        Field(csv, item);
        Field(csv, reason);
        Field(csv, record.Source.ToString());
        Field(csv, record.Id);
        Field(csv, record.Reference ?? "");
        Field(csv, record.Asset);
        Field(csv, ReportText.Amount(record.Amount));
        Field(csv, ReportText.Time(record.At));
        Field(csv, record.Kind.ToString());
        Field(csv, record.Counterparty ?? "");
        Field(csv, difference is { } d ? ReportText.Amount(d) : "");
        Field(csv, detail);
        csv.Write("\r\n");
    }

    private static void Field(TextWriter csv, string value, bool first = false)
    {
        if (!first)
        {
            csv.Write(',');
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            csv.Write(value);
            return;
        }

        csv.Write('"');
        csv.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        csv.Write('"');
    }
}

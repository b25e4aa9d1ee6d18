using System.Text.Encodings.Web;
using System.Text.Json;

namespace Settlement.Service.Reconciliation;

/// <summary>The JSON break report; field names are part of its contract (docs/reconciliation.md).</summary>
internal static class JsonBreakReport
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        // A file report, not HTML: quotes and non-ASCII stay readable; control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(ReconciliationRunResult run, Stream destination)
    {
        using var json = new Utf8JsonWriter(destination, Options);
        json.WriteStartObject();
        json.WriteStartArray("pairings");
        foreach (var result in run.Pairings)
        {
            WritePairing(json, result);
        }

        json.WriteEndArray();
        json.WriteStartArray("unassigned");
        foreach (var item in run.Unassigned)
        {
            WriteBreak(json, item);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        destination.WriteByte((byte)'\n');
    }

    private static void WritePairing(Utf8JsonWriter json, ReconciliationResult result)
    {
        var pairing = result.Pairing;
        var totals = result.Totals;
        json.WriteStartObject();
        json.WriteString("name", pairing.Name);
        json.WriteString("left", pairing.Left.ToString());
        json.WriteString("right", pairing.Right.ToString());
        json.WriteString("asset", pairing.Asset);
        json.WriteString("amountTolerance", ReportText.Number(pairing.Rules.AmountTolerance));
        json.WriteString("maxDateLag", ReportText.Lag(pairing.Rules.MaxDateLag));
        json.WriteStartObject("totals");
        json.WriteNumber("leftRecords", totals.LeftRecords);
        json.WriteNumber("rightRecords", totals.RightRecords);
        json.WriteNumber("duplicateCopies", totals.DuplicateCopies);
        json.WriteNumber("matches", totals.Matches);
        json.WriteNumber("matchesWithDifference", totals.MatchesWithDifference);
        json.WriteNumber("matchedLeft", totals.MatchedLeft);
        json.WriteNumber("matchedRight", totals.MatchedRight);
        json.WriteNumber("breaks", totals.Breaks);
        json.WriteStartArray("assets");
        foreach (var asset in totals.Assets)
        {
            json.WriteStartObject();
            json.WriteString("asset", asset.Asset);
            json.WriteString("matchedLeft", ReportText.Amount(asset.MatchedLeft));
            json.WriteString("matchedRight", ReportText.Amount(asset.MatchedRight));
            json.WriteString("unmatchedLeft", ReportText.Amount(asset.UnmatchedLeft));
            json.WriteString("unmatchedRight", ReportText.Amount(asset.UnmatchedRight));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("breaks");
        foreach (var item in result.Breaks)
        {
            WriteBreak(json, item);
        }

        json.WriteEndArray();
        json.WriteStartArray("differences");
        foreach (var match in ReportText.Differences(result))
        {
            json.WriteStartObject();
            json.WriteString("rule", match.Rule.ToString());
            json.WriteString("difference", ReportText.Amount(match.Difference));
            WriteRecords(json, "left", match.Left);
            WriteRecords(json, "right", match.Right);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteBreak(Utf8JsonWriter json, ReconciliationBreak item)
    {
        json.WriteStartObject();
        json.WriteString("reason", item.Reason.ToString());
        json.WriteString("detail", item.Detail);
        if (item.Difference is { } difference)
        {
            json.WriteString("difference", ReportText.Amount(difference));
        }
        else
        {
            json.WriteNull("difference");
        }

        WriteRecords(json, "records", item.Records);
        json.WriteEndObject();
    }

    private static void WriteRecords(Utf8JsonWriter json, string name, IReadOnlyList<ReconciliationRecord> records)
    {
        json.WriteStartArray(name);
        foreach (var record in records)
        {
            json.WriteStartObject();
            json.WriteString("source", record.Source.ToString());
            json.WriteString("id", record.Id);
            json.WriteString("reference", record.Reference);
            json.WriteString("asset", record.Asset);
            json.WriteString("amount", ReportText.Amount(record.Amount));
            json.WriteString("at", ReportText.Time(record.At));
            json.WriteString("kind", record.Kind.ToString());
            json.WriteString("counterparty", record.Counterparty);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

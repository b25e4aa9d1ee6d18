using System.Text;

namespace Settlement.Service.Reconciliation;

/// <summary>
/// The break report of a run in three formats: JSON (for machines), CSV (RFC 4180, for spreadsheets) and a fixed-width
/// text table (for people). Each lists, per pairing, the totals, every break with its reason, records and detail, and
/// every match with a difference. Reproducible: the output depends on the result alone (no clock, invariant culture,
/// LF in JSON and the table, CRLF in CSV as RFC 4180 says), so the same records in any order give identical bytes.
/// Amounts are integers in base units: strings in JSON (they may pass 2^53), plain digits in CSV and the table.
/// </summary>
public static class BreakReport
{
    /// <summary>Writes the JSON report (UTF-8, indented, no byte-order mark).</summary>
    public static void WriteJson(ReconciliationRunResult run, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(destination);
        JsonBreakReport.Write(run, destination);
    }

    /// <summary>The JSON report as a string.</summary>
    public static string ToJson(ReconciliationRunResult run)
    {
        using var buffer = new MemoryStream();
        WriteJson(run, buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the CSV report: a header, then one row per record of each break and each match with a difference.</summary>
    public static void WriteCsv(ReconciliationRunResult run, TextWriter destination)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(destination);
        CsvBreakReport.Write(run, destination);
    }

    /// <summary>The CSV report as a string.</summary>
    public static string ToCsv(ReconciliationRunResult run)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteCsv(run, writer);
        return writer.ToString();
    }

    /// <summary>Writes the readable fixed-width table.</summary>
    public static void WriteTable(ReconciliationRunResult run, TextWriter destination)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(destination);
        TableBreakReport.Write(run, destination);
    }

    /// <summary>The readable table as a string.</summary>
    public static string ToTable(ReconciliationRunResult run)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteTable(run, writer);
        return writer.ToString();
    }
}

using System.Globalization;

namespace Settlement.Service.Reconciliation;

/// <summary>The formatting the three report formats share, so they print the same values the same way.</summary>
internal static class ReportText
{
    public static string Amount(Int128 amount) => amount.ToString(CultureInfo.InvariantCulture);

    /// <summary>UTC, round-trip precision ("2026-12-01T10:00:00.0000000Z").</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string Lag(TimeSpan lag) => lag.ToString("c", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The matches a report lists: those with a difference.</summary>
    public static IEnumerable<ReconciliationMatch> Differences(ReconciliationResult result) => result.Matches.Where(m => m.HasDifference);
}

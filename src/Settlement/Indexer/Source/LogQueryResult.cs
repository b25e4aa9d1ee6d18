using Settlement.Ethereum.Rpc;

namespace Settlement.Service.Indexer.Source;

/// <summary>
/// The answer to an <c>eth_getLogs</c> range: the logs, or the node's refusal of the range as too large (too many
/// blocks or too many results) — an expected outcome the indexer answers by halving its range.
/// </summary>
/// <param name="Logs">The logs, in chain order; empty when refused.</param>
/// <param name="RangeTooLarge">The node's message when it refused the range; null otherwise.</param>
public sealed record LogQueryResult(IReadOnlyList<LogEntry> Logs, string? RangeTooLarge)
{
    /// <summary>The logs of an accepted range.</summary>
    public static LogQueryResult Ok(IReadOnlyList<LogEntry> logs) => new(logs, null);

    /// <summary>A range the node refused as too large.</summary>
    public static LogQueryResult TooLarge(string message) => new([], message);
}

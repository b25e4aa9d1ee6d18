namespace Settlement.Service.Indexer.Source;

/// <summary>
/// Recognises a node's "this <c>eth_getLogs</c> range is too large" answers. There is no standard code: geth, Erigon,
/// Alchemy, Infura, QuickNode and Anvil word it differently ("query returned more than 10000 results", "block range is
/// too large", "exceed maximum block range: 5000", "Log response size exceeded", EIP-1474's -32005 "limit exceeded").
/// </summary>
public static class LogRangeErrors
{
    private const int LimitExceeded = -32005;

    private static readonly string[] Phrases =
    [
        "range too large", "range is too large", "block range", "too many blocks", "exceed maximum block range",
        "more than", "too many results", "too many logs", "response size", "results limit", "limit exceeded",
        "max results", "log limit", "query timeout", "query exceeds",
    ];

    /// <summary>True when an error with <paramref name="code"/> and <paramref name="message"/> refuses the range's size.</summary>
    public static bool IsRangeTooLarge(int? code, string? message) =>
        code == LimitExceeded
        || (message is not null && Phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase)));
}

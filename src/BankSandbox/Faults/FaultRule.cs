namespace Settlement.BankSandbox.Faults;

/// <summary>One fault to inject: which requests it matches and how many times it fires.</summary>
public sealed class FaultRule
{
    /// <summary>What to do.</summary>
    public required FaultKind Kind { get; init; }

    /// <summary>HTTP method to match (case-insensitive); null = any. Ignored for notification faults.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// Path prefix; null = any. A prefix starting with <c>/open-banking</c>, <c>/as</c>, <c>/.well-known</c>, <c>/jwks</c>
    /// or <c>/sandbox</c> is matched against the full path; any other (e.g. <c>/domestic-payments</c>) against the path
    /// after <c>/pisp</c> in either version. Ignored for notification faults.
    /// </summary>
    public string? PathPrefix { get; init; }

    /// <summary>How many times the rule fires (default 1; <see cref="int.MaxValue"/> = always).</summary>
    public int Times { get; init; } = 1;

    /// <summary>For <see cref="FaultKind.TooManyRequests"/>: the Retry-After seconds (default 1).</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>For <see cref="FaultKind.Latency"/>: the added delay on the sandbox clock (default 1 s).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromSeconds(1);

    internal bool IsNotificationFault => Kind is FaultKind.DuplicateNotification or FaultKind.OutOfOrderNotification;

    internal bool Matches(string method, string path)
    {
        if (Method is not null && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (PathPrefix is null)
        {
            return true;
        }

        if (IsAbsolutePrefix(PathPrefix))
        {
            return path.StartsWith(PathPrefix, StringComparison.Ordinal);
        }

        var pisp = path.IndexOf("/pisp", StringComparison.Ordinal);
        if (!path.StartsWith("/open-banking/", StringComparison.Ordinal) || pisp < 0)
        {
            return false;
        }

        var relative = path[(pisp + "/pisp".Length)..];
        var prefix = PathPrefix.StartsWith('/') ? PathPrefix : "/" + PathPrefix;
        return relative.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static bool IsAbsolutePrefix(string prefix) =>
        prefix.StartsWith("/open-banking", StringComparison.Ordinal)
        || prefix.StartsWith("/as", StringComparison.Ordinal)
        || prefix.StartsWith("/.well-known", StringComparison.Ordinal)
        || prefix.StartsWith("/jwks", StringComparison.Ordinal)
        || prefix.StartsWith("/sandbox", StringComparison.Ordinal);
}

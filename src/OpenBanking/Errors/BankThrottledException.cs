using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>The bank answered 429 Too Many Requests, optionally with <c>Retry-After</c>.</summary>
public sealed class BankThrottledException : BankApiException
{
    internal BankThrottledException(string bank, TimeSpan? retryAfter, string? interactionId)
        : base(bank, retryAfter is { } r ? $"throttled, retry after {r.TotalSeconds:0.###} s" : "throttled",
            interactionId, HttpStatusCode.TooManyRequests, null, null)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>The delay the bank asked for, when it sent <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

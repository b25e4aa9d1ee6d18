namespace Settlement.OpenBanking.Errors;

/// <summary>The circuit breaker for this bank is open: calls are not sent until it half-opens.</summary>
public sealed class BankUnavailableException : BankApiException
{
    internal BankUnavailableException(string bank, TimeSpan? retryAfter, Exception? inner)
        : base(bank, "circuit open, bank treated as unavailable", null, null, null, inner)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>When the breaker will let a trial call through, if known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

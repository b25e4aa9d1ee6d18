using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;

namespace Settlement.OpenBanking.Resilience;

/// <summary>
/// The Polly pipeline of one bank, outermost first: retry (exponential back-off with jitter, only
/// for transient faults, honouring <c>Retry-After</c> on 429) → circuit breaker (one per bank, shared
/// by all calls to it) → per-attempt timeout. Every request the connector retries is safe to repeat:
/// GETs, and POSTs that carry the same <c>x-idempotency-key</c> and body on every attempt.
/// </summary>
internal static class BankResilience
{
    public static ResiliencePipeline Create(string bank, BankOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { Name = $"openbanking:{bank}", TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryAfter,
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome.Exception, options)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is BankThrottledException { RetryAfter: { } after } ? (TimeSpan?)after : null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitFailureRatio,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.CircuitBreakDuration,
            // Only faults that say something about the bank's health count; a 400 for a bad
            // request or an invalid signature does not open the circuit.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is TimeoutRejectedException
                or BankServerErrorException or BankTransportException or BankThrottledException),
        });
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    internal static bool IsRetryable(Exception? exception, BankOptions options) => exception switch
    {
        BankThrottledException { RetryAfter: { } after } => after <= options.MaxRetryAfter,
        BankApiException bank => bank.IsTransient && bank is not BankUnavailableException,
        TimeoutRejectedException => true,
        _ => false,
    };
}

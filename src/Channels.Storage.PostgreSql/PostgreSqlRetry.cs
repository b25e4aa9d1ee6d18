using Npgsql;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>
/// Runs a transaction again after a serialization failure or a deadlock: the errors a distributed PostgreSQL-compatible
/// database (or PostgreSQL at <c>SERIALIZABLE</c>) reports under contention, after rolling the whole transaction back,
/// so trying it again from the start is safe.
/// </summary>
internal static class PostgreSqlRetry
{
    /// <summary>Calls <paramref name="attempt"/> until it succeeds, fails otherwise, or has been retried <paramref name="maxRetries"/> times.</summary>
    /// <param name="attempt">One whole transaction.</param>
    /// <param name="maxRetries">Retries after the first attempt.</param>
    /// <param name="retrying">Called with the SQLSTATE and the retry's number (1-based) before each retry.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> attempt, int maxRetries, Action<string, int> retrying, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(retrying);
        for (var tried = 0; ; tried++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (IsRetryable(ex) && tried < maxRetries)
            {
                retrying(ex.SqlState, tried + 1);
            }
        }
    }

    private static bool IsRetryable(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;
}

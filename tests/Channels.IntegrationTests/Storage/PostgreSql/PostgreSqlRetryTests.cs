extern alias postgres;

using Npgsql;
using postgres::Settlement.Channels.Storage.PostgreSql;

namespace Settlement.Channels.IntegrationTests.Storage.PostgreSql;

/// <summary>Which errors the PostgreSQL stores run a transaction again for, how often, and what they report.</summary>
public sealed class PostgreSqlRetryTests
{
    // Past this many attempts the fake transaction stops failing the same way, so a retry bound that never ends shows as
    // a wrong answer instead of a hang.
    private const int RunawayAttempts = 10;

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    public async Task RunAsync_AlwaysContended_RetriedMaxRetriesTimesThenThrown(string sqlState)
    {
        var (ex, attempts, retries) = await AlwaysFailingAsync(sqlState, maxRetries: 2);

        ex.SqlState.ShouldBe(sqlState);
        attempts.ShouldBe(3);
        retries.ShouldBe([(sqlState, 1), (sqlState, 2)]);
    }

    [Fact]
    public async Task RunAsync_ContendedOnce_ReturnsTheRetrysValue()
    {
        var attempts = 0;
        var retries = new List<(string SqlState, int Retry)>();

        var value = await PostgreSqlRetry.RunAsync(
            _ => ++attempts == 1 ? throw Error(PostgresErrorCodes.DeadlockDetected) : Task.FromResult(42),
            1,
            (state, retry) => retries.Add((state, retry)),
            CancellationToken.None);

        value.ShouldBe(42);
        attempts.ShouldBe(2);
        retries.ShouldBe([(PostgresErrorCodes.DeadlockDetected, 1)]);
    }

    [Fact]
    public async Task RunAsync_NoRetriesAllowed_FirstFailureThrown()
    {
        var (ex, attempts, retries) = await AlwaysFailingAsync(PostgresErrorCodes.SerializationFailure, maxRetries: 0);

        ex.SqlState.ShouldBe(PostgresErrorCodes.SerializationFailure);
        attempts.ShouldBe(1);
        retries.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.LockNotAvailable)]
    [InlineData(PostgresErrorCodes.QueryCanceled)]
    public async Task RunAsync_OtherSqlState_ThrownAtOnce(string sqlState)
    {
        var (ex, attempts, retries) = await AlwaysFailingAsync(sqlState, maxRetries: 5);

        ex.SqlState.ShouldBe(sqlState);
        attempts.ShouldBe(1);
        retries.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_NullArguments_NameTheParameter()
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => PostgreSqlRetry.RunAsync<int>(null!, 1, (_, _) => { }, CancellationToken.None)))
            .ParamName.ShouldBe("attempt");
        (await Should.ThrowAsync<ArgumentNullException>(() => PostgreSqlRetry.RunAsync(_ => Task.FromResult(1), 1, null!, CancellationToken.None)))
            .ParamName.ShouldBe("retrying");
    }

    [Fact]
    public async Task RunAsync_PassesTheTokenToEachAttempt()
    {
        using var source = new CancellationTokenSource();
        var seen = new List<CancellationToken>();

        await PostgreSqlRetry.RunAsync(
            ct =>
            {
                seen.Add(ct);
                return seen.Count == 1 ? throw Error(PostgresErrorCodes.SerializationFailure) : Task.FromResult(0);
            },
            1,
            (_, _) => { },
            source.Token);

        seen.ShouldBe([source.Token, source.Token]);
    }

    private static Task<int> Fail(int attempt, string sqlState)
    {
        if (attempt >= RunawayAttempts)
        {
            throw new InvalidOperationException("ran away");
        }

        throw Error(sqlState);
    }

    private static PostgresException Error(string sqlState) => new("contended", "ERROR", "ERROR", sqlState);

    /// <summary>Runs a transaction that always fails with <paramref name="sqlState"/>: the exception that came out, the attempts made and the retries reported.</summary>
    private static async Task<(PostgresException Error, int Attempts, List<(string SqlState, int Retry)> Retries)> AlwaysFailingAsync(string sqlState, int maxRetries)
    {
        var attempts = 0;
        var retries = new List<(string SqlState, int Retry)>();
        var ex = await Should.ThrowAsync<PostgresException>(() => PostgreSqlRetry.RunAsync<int>(
            _ => Fail(++attempts, sqlState),
            maxRetries,
            (state, retry) => retries.Add((state, retry)),
            CancellationToken.None));
        return (ex, attempts, retries);
    }
}
